//! A user's own protocol on hasim-sim: push heartbeats to one monitor, which suspects
//! a node after a timeout without one. Run with faults (a crash, a restart, a pause and
//! a partition) and print what the monitor saw and when.
//!
//! `cargo run --example heartbeat -p hasim-sim [-- SEED]`

use hasim_sim::{
    always, Describe, Detail, Distribution, Fault, NodeId, Outcome, Protocol, ScheduledFault, Sim,
    SimDuration, SimTime, TimerId,
};
use std::collections::BTreeMap;

/// Configuration: node 0 monitors; every other node sends a heartbeat each `interval`.
struct Heartbeat {
    interval: SimDuration,
    timeout: SimDuration,
}

#[derive(Clone, Debug)]
enum Msg {
    Beat { seq: u64 },
}

#[derive(Clone, Copy, Debug)]
enum Timer {
    Send,
    Deadline(NodeId),
}

#[derive(Clone, Debug)]
enum Obs {
    Suspect(NodeId),
    Trust(NodeId),
}

enum State {
    Monitor {
        deadlines: BTreeMap<NodeId, TimerId>,
        suspected: BTreeMap<NodeId, bool>,
    },
    Member {
        seq: u64,
    },
}

impl Describe for Msg {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Msg::Beat { seq } => d.name("beat").u64("seq", *seq),
        };
    }
}
impl Describe for Timer {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Timer::Send => d.name("send"),
            Timer::Deadline(n) => d.name("deadline").node("of", *n),
        };
    }
}
impl Describe for Obs {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Obs::Suspect(n) => d.name("suspect").node("target", *n),
            Obs::Trust(n) => d.name("trust").node("target", *n),
        };
    }
}

impl Protocol for Heartbeat {
    type Msg = Msg;
    type Timer = Timer;
    type State = State;
    type Durable = ();
    type View = usize; // how many nodes the monitor suspects
    type Observation = Obs;

    fn start(&self, ctx: &mut impl hasim_sim::Ctx<Self>, _: &()) -> State {
        if ctx.id() == NodeId(0) {
            let mut deadlines = BTreeMap::new();
            for i in 1..ctx.node_count() {
                deadlines.insert(
                    NodeId(i),
                    ctx.set_timer(self.timeout, Timer::Deadline(NodeId(i))),
                );
            }
            State::Monitor {
                deadlines,
                suspected: BTreeMap::new(),
            }
        } else {
            ctx.set_timer(self.interval, Timer::Send);
            State::Member { seq: 0 }
        }
    }

    fn on_message(
        &self,
        ctx: &mut impl hasim_sim::Ctx<Self>,
        state: &mut State,
        source: NodeId,
        _: Msg,
    ) {
        let State::Monitor {
            deadlines,
            suspected,
        } = state
        else {
            return;
        };
        if let Some(old) =
            deadlines.insert(source, ctx.set_timer(self.timeout, Timer::Deadline(source)))
        {
            ctx.cancel_timer(old);
        }
        if suspected.remove(&source) == Some(true) {
            ctx.observe(Obs::Trust(source));
        }
    }

    fn on_timer(&self, ctx: &mut impl hasim_sim::Ctx<Self>, state: &mut State, timer: Timer) {
        match (state, timer) {
            (State::Member { seq }, Timer::Send) => {
                *seq += 1;
                ctx.send(NodeId(0), Msg::Beat { seq: *seq });
                ctx.set_timer(self.interval, Timer::Send);
            }
            (State::Monitor { suspected, .. }, Timer::Deadline(node)) => {
                suspected.insert(node, true);
                ctx.observe(Obs::Suspect(node));
            }
            _ => {}
        }
    }

    fn view(&self, state: &State) -> usize {
        match state {
            State::Monitor { suspected, .. } => suspected.len(),
            State::Member { .. } => 0,
        }
    }
}

fn at(text: &str) -> SimTime {
    SimTime::from_nanos(SimDuration::parse(text).expect("valid duration").as_nanos())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1);
    let protocol = Heartbeat {
        interval: SimDuration::from_millis(100),
        timeout: SimDuration::from_millis(350),
    };
    let mut sim = Sim::new(protocol, 5, seed);
    sim.uniform_network(
        Distribution::Uniform {
            min: SimDuration::from_millis(1),
            max: SimDuration::from_millis(5),
        },
        0.01,
    )?
    .horizon(at("20s"))
    .faults([
        ScheduledFault {
            at: at("3s"),
            fault: Fault::Crash { node: NodeId(2) },
        },
        ScheduledFault {
            at: at("8s"),
            fault: Fault::Restart { node: NodeId(2) },
        },
        ScheduledFault {
            at: at("10s"),
            fault: Fault::Pause { node: NodeId(3) },
        },
        ScheduledFault {
            at: at("11s"),
            fault: Fault::Resume { node: NodeId(3) },
        },
        ScheduledFault {
            at: at("13s"),
            fault: Fault::Partition {
                groups: vec![vec![NodeId(4)]],
            },
        },
        ScheduledFault {
            at: at("15s"),
            fault: Fault::Heal,
        },
    ])?
    .property(always("monitor suspects at most two nodes", |w| {
        match w.views[0] {
            Some(n) if n > 2 => Err(format!("{n} suspected")),
            _ => Ok(()),
        }
    }));
    let outcome = sim.run();
    println!(
        "seed {seed}: {} after {} events, trace hash {:016x}",
        outcome.name(),
        sim.events(),
        sim.trace_hash()
    );
    for o in sim.observations() {
        println!("  {:>8}  {:?}", o.time.to_string(), o.observation);
    }
    if let Outcome::Violated(v) = outcome {
        println!("{v}");
        std::process::exit(1);
    }
    Ok(())
}
