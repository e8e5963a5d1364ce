//! Behaviour under faults and load changes: crash detection by active health checks
//! under every policy, outlier ejection of a flapping backend, VRRP failover and
//! preemption, hedging against a slow backend, HPA scale-up and scale-down, closed
//! loops, and the capacity search against the M/M/1 tail.

use super::{at, exp, run, secs, sim};
use hasim_protocols::balancing::capacity::{highest_rate, table_text};
use hasim_protocols::balancing::figures::{crash_detection, figures};
use hasim_protocols::balancing::params::{
    AutoscaleParams, Flap, Frontend, HealthParams, OutlierParams, Params, PolicyKind, RateStep,
    Slow, Workload,
};
use hasim_protocols::balancing::{Observation, Role};
use hasim_sim::{Distribution, Fault, ScheduledFault, SimDuration};

fn open(rate: f64) -> Workload {
    Workload::Open {
        rate,
        schedule: Vec::new(),
    }
}

fn crash(at_s: f64, node: u32) -> ScheduledFault {
    ScheduledFault {
        at: at(at_s),
        fault: Fault::Crash {
            node: hasim_sim::NodeId(node),
        },
    }
}

const POLICIES: [PolicyKind; 8] = [
    PolicyKind::RoundRobin,
    PolicyKind::WeightedRoundRobin,
    PolicyKind::LeastOutstanding,
    PolicyKind::Random,
    PolicyKind::PowerOfTwo,
    PolicyKind::JoinShortestQueue,
    PolicyKind::ConsistentHash,
    PolicyKind::SessionAffinity,
];

#[test]
fn health_checks_take_a_crashed_backend_out_within_fall_checks_under_every_policy() {
    // Checks every 1 s with a 0.5 s timeout and fall = 3: the third failed check ends
    // between 2.5 s and 3.5 s after the crash. After that, nothing more is sent to the
    // dead backend. One seed per policy.
    for policy in POLICIES {
        let mut p = Params {
            backends: 4,
            workload: open(100.0),
            ..Params::default()
        };
        p.balancer.policy = policy;
        p.balancer.weights = vec![3, 1, 1, 1];
        p.balancer.health = Some(HealthParams {
            interval: secs(1.0),
            timeout: secs(0.5),
            rise: 2,
            fall: 3,
        });
        p.client.retries_max = 1;
        p.balancer.upstream_timeout = secs(0.5);
        let mut s = sim(p, 7, 30.0, secs(0.001), vec![crash(10.0, 1 + 1 + 1)]);
        s.run();
        let c = crash_detection(&s);
        assert_eq!(c.len(), 1, "{policy:?}");
        let d = c[0].detection.expect("detected");
        assert!((2.5..=3.5).contains(&d), "{policy:?}: detected after {d} s");
        let removed = at(10.0 + d);
        let late = s.observations().iter().any(|o| {
            matches!(o.observation, Observation::UpstreamFailed { backend: 1, waited, .. }
                if o.time.saturating_since(hasim_sim::SimTime::ZERO) > removed.saturating_since(hasim_sim::SimTime::ZERO).saturating_add(waited))
        });
        assert!(!late, "{policy:?}: sent to the dead backend after removal");
        let f = figures(&s);
        // Every policy but consistent hashing and affinity spreads the load, so the
        // dead backend gets a share of the traffic in the window.
        assert!(f["crash_window_failures"] > 0.0, "{policy:?}");
        assert!(
            f["success_rate"] > 0.97,
            "{policy:?}: {}",
            f["success_rate"]
        );
        if policy == PolicyKind::SessionAffinity {
            assert!(s.metrics().counter("sessions_moved") > 0);
        }
    }
}

#[test]
fn outlier_detection_ejects_a_flapping_backend_for_growing_times() {
    // Backend 2 fails every request for 3 s out of every 5 s from 5 s to 60 s. With
    // five consecutive failures to eject and a 2 s base, ejections last 2 s, 4 s, 6 s…
    let mut p = Params {
        backends: 4,
        workload: open(200.0),
        ..Params::default()
    };
    p.backend.flap = vec![Flap {
        backend: 2,
        at: secs(5.0),
        until: secs(60.0),
        up: secs(2.0),
        down: secs(3.0),
    }];
    p.balancer.outlier = Some(OutlierParams {
        consecutive: 5,
        base_ejection: secs(2.0),
        ejection_max: secs(300.0),
        ejected_fraction_max: 0.1,
    });
    let mut s = sim(p, 3, 60.0, secs(0.001), vec![]);
    s.run();
    let durations: Vec<u64> = s
        .observations()
        .iter()
        .filter_map(|o| match o.observation {
            Observation::Ejected { backend, duration } => {
                assert_eq!(backend, 2);
                Some(duration.as_nanos() / 1_000_000_000)
            }
            _ => None,
        })
        .collect();
    assert!(durations.len() >= 3, "{durations:?}");
    assert!(durations
        .iter()
        .enumerate()
        .all(|(i, &d)| d == 2 * (i as u64 + 1)));
    // Ejection caps the damage: without it, 3/5 of a quarter of the traffic fails.
    let f = figures(&s);
    assert!(f["success_rate"] > 0.97, "{}", f["success_rate"]);
}

#[test]
fn vip_fails_over_to_the_backup_and_back_to_the_owner() {
    // Two balancers, adverts every 1 s. Balancer 0 (node 1) crashes at 10 s, before
    // its advert of that instant, so the last one arrived at 9.001 s and balancer 1
    // (priority 254, skew 2/256 s) takes over 3.0078 s later. Balancer 0 restarts at
    // 20 s and preempts at once.
    let mut p = Params {
        balancers: 2,
        backends: 2,
        workload: open(50.0),
        ..Params::default()
    };
    p.balancer.frontend = Frontend::Vip {
        advert_interval: secs(1.0),
    };
    p.client.retries_max = 2;
    let faults = vec![
        crash(10.0, 1),
        ScheduledFault {
            at: at(20.0),
            fault: Fault::Restart {
                node: hasim_sim::NodeId(1),
            },
        },
    ];
    let mut s = sim(p, 1, 30.0, secs(0.001), faults);
    s.run();
    let layout = s.protocol().layout;
    let events: Vec<(f64, u32, &str)> = s
        .observations()
        .iter()
        .filter_map(|o| {
            let Role::Balancer(b) = layout.role(o.node) else {
                return None;
            };
            match o.observation {
                Observation::Master => Some((o.time.as_secs_f64(), b, "master")),
                Observation::Backup => Some((o.time.as_secs_f64(), b, "backup")),
                _ => None,
            }
        })
        .collect();
    assert_eq!(events.len(), 4, "{events:?}");
    assert_eq!((events[0].1, events[0].2), (0, "master"));
    let (t, b, what) = events[1];
    assert_eq!((b, what), (1, "master"));
    assert!((12.008..12.01).contains(&t), "takeover at {t}");
    assert_eq!((events[2].1, events[2].2), (0, "master"));
    assert_eq!((events[3].1, events[3].2), (1, "backup"));
    // Two retries after 1 s timeouts outlast the 2 s without a master: nothing fails,
    // but the requests caught in it wait for their retries.
    let f = figures(&s);
    assert_eq!(f["success_rate"], 1.0, "{f:?}");
    assert!(f["latency_p999_s"] > 2.0, "{f:?}");
}

#[test]
fn hedging_cuts_the_tail_of_a_slow_backend() {
    // One backend of twenty is 20 times slower (200 ms) all run: 5 % of requests are
    // slow, so p99 is slow. Hedging after 50 ms sends a second copy, which a random
    // balancer places on the slow backend again only 5 % of the time: 0.25 % slow.
    let base = || {
        let mut p = Params {
            backends: 20,
            workload: open(50.0),
            ..Params::default()
        };
        p.balancer.policy = PolicyKind::Random;
        p.backend.workers = 8;
        p.backend.service = Distribution::constant(secs(0.01));
        p.backend.slow = vec![Slow {
            backend: 0,
            at: SimDuration::ZERO,
            until: secs(1000.0),
            factor: 20.0,
        }];
        p
    };
    let plain = run(base(), 1, 60.0, secs(0.001), vec![]);
    let mut hedged = base();
    hedged.client.hedge_after = Some(secs(0.05));
    let hedged = run(hedged, 1, 60.0, secs(0.001), vec![]);
    assert!(plain["latency_p99_s"] > 0.19, "{}", plain["latency_p99_s"]);
    assert!(
        hedged["latency_p99_s"] < 0.07,
        "{}",
        hedged["latency_p99_s"]
    );
    // Only the slow 5 % are hedged.
    let share = hedged["hedges"] / hedged["requests"];
    assert!((0.03..0.08).contains(&share), "hedged {share}");
}

#[test]
fn autoscaler_follows_a_load_step_up_and_down() {
    // Backends serve 100/s each (one worker, 10 ms). Load steps 60/s → 300/s at 60 s →
    // 60/s at 300 s. Target 0.6: the autoscaler scales to at least 4 replicas within a
    // few syncs (15 s) plus start-up (10 s), and back down once the 120 s stabilisation
    // window has passed.
    let mut p = Params {
        backends: 2,
        workload: Workload::Open {
            rate: 60.0,
            schedule: vec![
                RateStep {
                    at: secs(60.0),
                    rate: 300.0,
                },
                RateStep {
                    at: secs(300.0),
                    rate: 60.0,
                },
            ],
        },
        ..Params::default()
    };
    p.backend.service = Distribution::constant(secs(0.01));
    p.autoscale = Some(AutoscaleParams {
        target: 0.6,
        replicas_min: 1,
        replicas_max: 8,
        startup_delay: secs(10.0),
        stabilisation: secs(120.0),
        ..AutoscaleParams::default()
    });
    let mut s = sim(p, 1, 600.0, secs(0.001), vec![]);
    s.run();
    let scales: Vec<(f64, u32, u32)> = s
        .observations()
        .iter()
        .filter_map(|o| match o.observation {
            Observation::Scale { from, to } => Some((o.time.as_secs_f64(), from, to)),
            _ => None,
        })
        .collect();
    let up = scales
        .iter()
        .find(|&&(t, from, to)| t > 60.0 && to > from)
        .expect("a scale-up after the step");
    assert!(up.0 < 100.0, "scale-up only at {} s: {scales:?}", up.0);
    let peak = scales.iter().map(|s| s.2).max().unwrap_or(0);
    assert!(peak >= 4, "{scales:?}");
    let down = scales
        .iter()
        .find(|&&(t, from, to)| t > 300.0 && to < from)
        .expect("a scale-down after the drop");
    assert!(down.0 >= 300.0 + 100.0, "scale-down too early: {scales:?}");
    // Metrics lag one period (reports land just after the sync that would use them),
    // so the scale-up comes at 90 s and capacity at 100 s: every failure of the run
    // falls in that gap, plus the time to drain the queues built up in it.
    let failures: Vec<f64> = s
        .observations()
        .iter()
        .filter(|o| {
            matches!(
                o.observation,
                Observation::Failed { .. } | Observation::TimedOut { .. }
            )
        })
        .map(|o| o.time.as_secs_f64())
        .collect();
    assert!(!failures.is_empty());
    assert!(
        failures.iter().all(|&t| (60.0..115.0).contains(&t)),
        "failures from {:?} to {:?}; scaling {scales:?}",
        failures.first(),
        failures.last()
    );
}

#[test]
fn closed_loop_throughput_follows_the_response_time_law() {
    // 10 users, exponential think 1 s, one backend of 4 workers with constant 0.1 s
    // service: far from saturation, X = N / (Z + R) with R ≈ 0.1 s + 4 hops of 1 ms.
    let mut p = Params {
        backends: 1,
        workload: Workload::Closed {
            users: 10,
            think: exp(1.0),
        },
        ..Params::default()
    };
    p.backend.workers = 4;
    p.backend.service = Distribution::constant(secs(0.1));
    let f = run(p, 2, 2000.0, secs(0.001), vec![]);
    let r = f["latency_mean_s"];
    let expected = 10.0 / (1.0 + r) * 2000.0;
    assert!(
        (f["requests"] - expected).abs() / expected < 0.03,
        "{} requests, expected {expected}",
        f["requests"]
    );
    assert!(r < 0.12, "response time {r}");
}

#[test]
fn capacity_search_finds_the_m_m_1_rate_for_a_p99_slo() {
    // One single-slot backend, μ = 10/s. M/M/1 sojourn is exponential with rate μ − λ,
    // so p99 ≤ 2 s holds up to λ = 10 − ln(100)/2 = 7.70/s. Tolerance 3 %; the same
    // two seeds of 5,000 s at every rate (common random numbers).
    let expected = 10.0 - 100f64.ln() / 2.0;
    let capacity = highest_rate(
        1.0,
        9.9,
        0.01,
        |rate| {
            let mut p = Params {
                backends: 1,
                workload: open(rate),
                ..Params::default()
            };
            p.client.timeout = SimDuration::ZERO;
            p.balancer.upstream_timeout = SimDuration::ZERO;
            p.backend.queue_max = 1_000_000;
            p.backend.service = exp(0.1);
            let p99: f64 = (1..=2)
                .map(|seed| {
                    run(p.clone(), seed, 5_000.0, SimDuration::ZERO, vec![])["latency_p99_s"]
                })
                .sum::<f64>()
                / 2.0;
            [("latency_p99_s".to_string(), p99)].into_iter().collect()
        },
        |f| f["latency_p99_s"] <= 2.0,
    );
    let rate = capacity.rate.expect("1/s meets the SLO");
    let text = table_text(&capacity, &["latency_p99_s"]);
    assert!(
        (rate - expected).abs() / expected < 0.03,
        "found {rate:.3}/s, theory {expected:.3}/s\n{text}"
    );
}

#[test]
fn clients_share_the_open_loop_rate() {
    // 20/s over two clients for 500 s: 5,000 requests each, within 5 %.
    let p = Params {
        clients: 2,
        backends: 2,
        workload: open(20.0),
        ..Params::default()
    };
    let mut s = sim(p, 1, 500.0, secs(0.001), vec![]);
    s.run();
    for client in 0..2 {
        let n = s
            .observations()
            .iter()
            .filter(|o| o.node.0 == client && matches!(o.observation, Observation::Ok { .. }))
            .count() as f64;
        assert!((n - 5000.0).abs() < 250.0, "client {client}: {n}");
    }
}
