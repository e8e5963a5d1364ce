//! Test machinery shared by the detection tests: human durations, crash–restart
//! schedules drawn from a seeded stream, and a trace sink whose records stay readable.

use hasim_sim::{Fault, NodeId, Record, ScheduledFault, SimDuration, SimTime, Stream, TraceSink};
use std::cell::RefCell;
use std::rc::Rc;

/// A duration from text ("250ms").
pub fn span(text: &str) -> SimDuration {
    SimDuration::parse(text).expect("a valid duration")
}

/// An instant from text ("10s" after the start).
pub fn at(text: &str) -> SimTime {
    SimTime::from_nanos(span(text).as_nanos())
}

/// A uniformly random duration in [0, spread).
pub fn uniform(stream: &mut Stream, spread: SimDuration) -> SimDuration {
    SimDuration::from_nanos(stream.below(spread.as_nanos().max(1)))
}

/// Crash–restart cycles for each target, independently: up for `up` plus a uniform
/// draw from [0, `spread`), then down for `down`, from `from` until `until`. The draws
/// put crashes at uniformly random phases of any periodic protocol.
pub fn crash_cycles(
    stream: &mut Stream,
    targets: &[NodeId],
    from: SimTime,
    until: SimTime,
    up: SimDuration,
    spread: SimDuration,
    down: SimDuration,
) -> Vec<ScheduledFault> {
    let mut faults = Vec::new();
    for &node in targets {
        let mut t = from + uniform(stream, spread);
        while t + down < until {
            faults.push(ScheduledFault {
                at: t,
                fault: Fault::Crash { node },
            });
            faults.push(ScheduledFault {
                at: t + down,
                fault: Fault::Restart { node },
            });
            t = t + down + up + uniform(stream, spread);
        }
    }
    faults
}

/// Keeps the first `limit` trace records where the test can read them after the run.
#[derive(Clone, Default)]
pub struct Captured {
    records: Rc<RefCell<Vec<Record>>>,
    limit: usize,
}

impl Captured {
    /// A sink keeping the first `limit` records.
    pub fn first(limit: usize) -> Self {
        Captured {
            records: Rc::default(),
            limit,
        }
    }

    /// The records kept, one per line as the trace prints them.
    pub fn text(&self) -> String {
        let records = self.records.borrow();
        let lines: Vec<String> = records.iter().map(|r| r.to_string()).collect();
        lines.join("\n")
    }
}

impl TraceSink for Captured {
    fn record(&mut self, record: &Record) {
        let mut records = self.records.borrow_mut();
        if records.len() < self.limit {
            records.push(record.clone());
        }
    }
}
