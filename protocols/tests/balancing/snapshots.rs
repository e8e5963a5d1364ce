//! insta snapshots of the start of a trace on a fixed seed: any change in what the
//! model does (messages, timers, observations, their order) shows up as a diff.

use super::{exp, secs, sim};
use hasim_protocols::balancing::params::{HealthParams, Params, PolicyKind, Workload};
use hasim_sim::{Record, TraceSink};
use std::cell::RefCell;
use std::rc::Rc;

/// Keeps records where the test can read them after the run.
struct Shared(Rc<RefCell<Vec<Record>>>);

impl TraceSink for Shared {
    fn record(&mut self, record: &Record) {
        self.0.borrow_mut().push(record.clone());
    }
}

fn trace_start(params: Params, seed: u64, horizon: f64, records: usize) -> String {
    let kept = Rc::new(RefCell::new(Vec::new()));
    let mut s = sim(params, seed, horizon, secs(0.001), vec![]);
    s.trace_sink(Shared(kept.clone()));
    s.run();
    let kept = kept.borrow();
    kept.iter()
        .take(records)
        .map(|r| format!("{r}\n"))
        .collect()
}

#[test]
fn trace_of_two_clients_one_balancer_two_backends() {
    // Two clients at 20 requests/s in total, round robin over two backends with
    // health checks every 100 ms: requests, forwards, replies and probes interleave.
    let mut p = Params {
        clients: 2,
        backends: 2,
        workload: Workload::Open {
            rate: 20.0,
            schedule: Vec::new(),
        },
        ..Params::default()
    };
    p.balancer.policy = PolicyKind::RoundRobin;
    p.balancer.health = Some(HealthParams {
        interval: secs(0.1),
        timeout: secs(0.05),
        rise: 2,
        fall: 2,
    });
    p.backend.service = exp(0.02);
    insta::assert_snapshot!(trace_start(p, 1, 1.0, 60));
}

#[test]
fn trace_of_a_retry_after_a_full_queue() {
    // One backend with one worker and no queue: the second of two close requests is
    // rejected at once and retried after a jittered backoff.
    let mut p = Params {
        backends: 1,
        workload: Workload::Open {
            rate: 40.0,
            schedule: Vec::new(),
        },
        ..Params::default()
    };
    p.client.retries_max = 2;
    p.backend.queue_max = 0;
    p.backend.service = exp(0.05);
    insta::assert_snapshot!(trace_start(p, 2, 1.0, 50));
}
