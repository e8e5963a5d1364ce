//! How SWIM scales: 1,000 members for 60 simulated seconds with 20 crashes (each
//! restarted 10 s later), with the event count and the detection figures. Time it from
//! outside (the simulation code never reads the wall clock), e.g.
//! `cargo build --release --example swim_scale -p hasim-protocols &&
//! time target/release/examples/swim_scale [MEMBERS SEED]`.

use hasim_protocols::detection::{DetectionReport, Swim, SwimParams};
use hasim_sim::{Distribution, Fault, NodeId, ScheduledFault, Seed, Sim, SimDuration, SimTime};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let members: u32 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1000);
    let seed: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1);
    let detector = Swim::new(SwimParams::default())?;
    let mut sim = Sim::new(detector, members, seed);
    let mut stream = Seed(seed).stream("example/crashes");
    let mut faults = Vec::new();
    for _ in 0..20 {
        let node = NodeId(stream.below(u64::from(members)) as u32);
        let at = SimTime::from_nanos(5_000_000_000 + stream.below(40_000_000_000));
        faults.push(ScheduledFault {
            at,
            fault: Fault::Crash { node },
        });
        faults.push(ScheduledFault {
            at: at + SimDuration::from_secs(10),
            fault: Fault::Restart { node },
        });
    }
    sim.uniform_network(
        Distribution::Uniform {
            min: SimDuration::from_millis(1),
            max: SimDuration::from_millis(5),
        },
        0.001,
    )?
    .horizon(SimTime::from_nanos(60_000_000_000))
    .faults(faults)?;
    let outcome = sim.run();
    println!(
        "{members} members, 60s simulated: {} after {} events, trace hash {:016x}",
        outcome.name(),
        sim.events(),
        sim.trace_hash()
    );
    for (name, value) in DetectionReport::of(&sim).figures() {
        println!("  {name:<36} {value:.4}");
    }
    Ok(())
}
