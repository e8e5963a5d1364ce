//! SWIM with a uniformly random probe target each period (`probe_order = "random"`),
//! no loss: a crashed member is probed in a given period by none of the n − 1 live
//! members with probability (1 − 1/(n−1))^(n−1), independently period after period,
//! so the number of periods until some member first pings it is geometric with mean
//! 1 / (1 − (1 − 1/(n−1))^(n−1)) (1.567 for n = 32; e/(e − 1) = 1.582 as n grows).
//!
//! Counting periods: each member runs its own period at its own phase, so "period r
//! after the crash" is the r-th span of one period length after it; every live member
//! starts exactly one probe in each. A first ping at time f after a crash at c falls
//! in period ⌈(f − c)/period⌉.

use crate::support::{at, span, uniform};
use hasim_protocols::detection::swim::ProbeOrder;
use hasim_protocols::detection::{Swim, SwimParams};
use hasim_sim::{Fault, NodeId, Record, ScheduledFault, Seed, Sim, SimTime, TraceSink, Verb};
use std::cell::RefCell;
use std::rc::Rc;

/// One crash, one member at a time: (crash, victim, restart).
type Outage = (SimTime, NodeId, SimTime);

/// Watches the trace for the first ping sent to each crashed member while it is down.
struct FirstPings {
    outages: Vec<Outage>,
    first: Rc<RefCell<Vec<Option<SimTime>>>>,
    cursor: usize,
    pattern: String,
}

impl TraceSink for FirstPings {
    fn record(&mut self, r: &Record) {
        while self.cursor < self.outages.len() && r.time >= self.outages[self.cursor].2 {
            self.cursor += 1;
            if let Some(&(_, victim, _)) = self.outages.get(self.cursor) {
                self.pattern = format!("to={victim} ping ");
            }
        }
        let Some(&(crash, _, _)) = self.outages.get(self.cursor) else {
            return;
        };
        if r.verb == Verb::Send && r.time > crash && r.detail.starts_with(&self.pattern) {
            let mut first = self.first.borrow_mut();
            first[self.cursor].get_or_insert(r.time);
        }
    }
}

/// Crashes one random member at a time for 10 periods (it is first pinged within them
/// but for a chance of 0.36^10), restarting it 2 to 3 periods before the next crash.
fn outages(seed: u64, nodes: u32, until: SimTime) -> Vec<Outage> {
    let mut stream = Seed(seed).stream("test/outages");
    let period = span("1s");
    let mut t = at("2s") + uniform(&mut stream, period);
    let mut out = Vec::new();
    while t + period.saturating_mul(10) < until {
        let victim = NodeId(stream.below(u64::from(nodes)) as u32);
        let restart = t + period.saturating_mul(10);
        out.push((t, victim, restart));
        t = restart + period.saturating_mul(2) + uniform(&mut stream, period);
    }
    out
}

#[test]
fn periods_to_first_ping_match_the_geometric_mean() {
    // Tolerance: within 3 % of 1 / (1 − (1 − 1/31)^31) = 1.5670. 3 seeds of 32
    // members, about 3,600 crashes; the sample mean's standard error is about 1 %.
    let nodes = 32u32;
    let horizon = at("15000s");
    let params = SwimParams {
        probe_order: ProbeOrder::Random,
        // Suspects stay probeable, so every live member keeps n − 1 candidates.
        suspicion_timeout: span("1h"),
        ..SwimParams::default()
    };
    let mut periods = Vec::new();
    for seed in [1, 2, 3] {
        let schedule = outages(seed, nodes, horizon);
        let first = Rc::new(RefCell::new(vec![None; schedule.len()]));
        let faults = schedule.iter().flat_map(|&(crash, node, restart)| {
            [
                ScheduledFault {
                    at: crash,
                    fault: Fault::Crash { node },
                },
                ScheduledFault {
                    at: restart,
                    fault: Fault::Restart { node },
                },
            ]
        });
        let detector = Swim::new(params.clone()).expect("valid parameters");
        let mut sim = Sim::new(detector, nodes, seed);
        sim.horizon(horizon)
            .keep_observations(false)
            .faults(faults)
            .expect("valid faults")
            .trace_sink(FirstPings {
                outages: schedule.clone(),
                first: first.clone(),
                cursor: 0,
                pattern: format!("to={} ping ", schedule[0].1),
            });
        sim.run();
        let period = span("1s").as_nanos();
        for (i, f) in first.borrow().iter().enumerate() {
            let f = f.unwrap_or_else(|| panic!("seed {seed}: outage {i} never pinged"));
            let since = (f - schedule[i].0).as_nanos();
            periods.push(since.div_ceil(period) as f64);
        }
    }
    let n = f64::from(nodes - 1);
    let expected = 1.0 / (1.0 - libm::pow(1.0 - 1.0 / n, n));
    let mean = periods.iter().sum::<f64>() / periods.len() as f64;
    eprintln!(
        "swim: {} crashes, mean {mean:.4} periods, expected {expected:.4}",
        periods.len()
    );
    assert!(periods.len() > 3000, "{}", periods.len());
    assert!(
        (mean - expected).abs() / expected < 0.03,
        "mean {mean} periods, expected {expected}, over {} crashes",
        periods.len()
    );
}
