//! How SWIM scales: 1,000 members for 60 simulated seconds with 20 crashes (each
//! restarted 10 s later), timed on the wall clock, with the detection figures. A
//! measurement for the notes, not a timed test.
//!
//! `cargo run --release --example swim_scale -p hasim-protocols [-- MEMBERS SEED]`

use hasim_protocols::detection::{DetectionReport, Standalone, Swim, SwimParams};
use hasim_sim::{Distribution, Fault, NodeId, ScheduledFault, Seed, Sim, SimDuration, SimTime};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let members: u32 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1000);
    let seed: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1);
    let detector = Swim::new(SwimParams::default())?;
    let mut sim = Sim::new(Standalone(detector), members, seed);
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
    // Wall time for the report only; the run itself never reads it.
    #[allow(clippy::disallowed_methods)]
    let started = std::time::Instant::now();
    let outcome = sim.run();
    let wall = started.elapsed();
    println!(
        "{members} members, 60s simulated: {} after {} events in {:.2?} wall ({:.1} M events/s), trace hash {:016x}",
        outcome.name(),
        sim.events(),
        wall,
        sim.events() as f64 / wall.as_secs_f64() / 1e6,
        sim.trace_hash()
    );
    for (name, value) in DetectionReport::of(&sim).figures() {
        println!("  {name:<36} {value:.4}");
    }
    Ok(())
}
