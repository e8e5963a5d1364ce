//! Figures of a finished run: what clients saw (success, availability, latency,
//! retries), what backends did (utilisation, queue length, waiting), and how the
//! balancers reacted to crashes (time until a crashed backend left every rotation,
//! and the requests sent to it meanwhile). Names and units are part of the API.
//!
//! Availability is time-based: the run is cut into one-second windows by the time
//! requests finished, and a window is good when at least 99 % of the requests that
//! finished in it succeeded; windows where nothing finished are not counted.
//! Utilisation and queue length are time averages over a backend's current
//! incarnation only (a crash loses its integrals with its state); a backend that is
//! down at the end has none.

use super::observation::Observation;
use super::{Balancing, Role, State};
use hasim_sim::{Fault, Histogram, Inspect, NodeId, SimTime};
use std::collections::BTreeMap;

/// The window of time-based availability.
pub const WINDOW_NANOS: u64 = 1_000_000_000;
/// The success ratio that makes a window good.
pub const GOOD_RATIO: f64 = 0.99;

/// Named figures, every value an f64 (times in seconds, ratios in 0..1).
///
/// Clients: `requests`, `requests_ok`, `requests_failed`, `requests_timed_out`,
/// `success_rate`, `availability`, `latency_mean_s`, `latency_p50_s`, `latency_p90_s`,
/// `latency_p99_s`, `latency_p999_s` (of successful requests), `attempts`, `retries`,
/// `retries_denied`, `hedges`, `amplification` (attempts per request).
/// Balancers: `no_backend`, `upstream_failures`, `ejections`, `scale_events`,
/// `replicas_max` (highest desired count; absent without autoscaling).
/// Backends: `utilisation.<i>` and `queue_length.<i>` per backend index,
/// `wait_mean_s` and `wait_probability` (over every request that began service),
/// `rejected` (full queue).
/// Crashes of backends (from the fault schedule): `crashes`, `crashes_undetected`
/// (some balancer kept it in rotation until it restarted or the run ended),
/// `detection_mean_s`, `detection_max_s` (crash until the last balancer removed it;
/// over detected crashes; NaN when none was), `crash_window_failures` (upstream requests sent to the
/// crashed backend in that window, which then failed).
pub fn figures(sim: &impl Inspect<Balancing>) -> BTreeMap<String, f64> {
    let cfg = sim.protocol();
    let layout = cfg.layout;
    let mut f = BTreeMap::new();
    let mut put = |k: &str, v: f64| {
        f.insert(k.to_string(), v);
    };

    let (mut ok, mut failed, mut timed_out, mut attempts) = (0u64, 0u64, 0u64, 0u64);
    let (mut retries, mut denied, mut hedges, mut no_backend, mut upstream_failures) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let (mut ejections, mut scale_events, mut replicas_max) = (0u64, 0u64, None::<u32>);
    let mut latency = Histogram::new();
    let mut windows: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
    for o in sim.observations() {
        let mut finished = |good: bool, n: u32| {
            attempts += u64::from(n);
            let w = windows.entry(o.time.as_nanos() / WINDOW_NANOS).or_default();
            w.0 += u64::from(good);
            w.1 += 1;
        };
        match o.observation {
            Observation::Ok {
                latency: l,
                attempts: n,
            } => {
                ok += 1;
                latency.record(l);
                finished(true, n);
            }
            Observation::Failed { attempts: n, .. } => {
                failed += 1;
                finished(false, n);
            }
            Observation::TimedOut { attempts: n, .. } => {
                timed_out += 1;
                finished(false, n);
            }
            Observation::Retry { .. } => retries += 1,
            Observation::RetryDenied => denied += 1,
            Observation::Hedge => hedges += 1,
            Observation::NoBackend => no_backend += 1,
            Observation::UpstreamFailed { .. } => upstream_failures += 1,
            Observation::Ejected { .. } => ejections += 1,
            Observation::Scale { to, .. } => {
                scale_events += 1;
                replicas_max = Some(replicas_max.unwrap_or(cfg.params.backends).max(to));
            }
            _ => {}
        }
    }
    let requests = ok + failed + timed_out;
    // Nothing to count, no ratio: NaN (no value), so a check on it is unmeasured
    // rather than judged on a 0 % that nobody experienced.
    let ratio = |a: u64, b: u64| {
        if b == 0 {
            f64::NAN
        } else {
            a as f64 / b as f64
        }
    };
    put("requests", requests as f64);
    put("requests_ok", ok as f64);
    put("requests_failed", failed as f64);
    put("requests_timed_out", timed_out as f64);
    put("success_rate", ratio(ok, requests));
    let good = windows
        .values()
        .filter(|&&(g, n)| g as f64 >= GOOD_RATIO * n as f64)
        .count() as u64;
    put("availability", ratio(good, windows.len() as u64));
    put("latency_mean_s", latency.mean().as_secs_f64());
    for (name, q) in [
        ("latency_p50_s", 0.5),
        ("latency_p90_s", 0.9),
        ("latency_p99_s", 0.99),
        ("latency_p999_s", 0.999),
    ] {
        put(name, latency.quantile(q).as_secs_f64());
    }
    put("attempts", attempts as f64);
    put("retries", retries as f64);
    put("retries_denied", denied as f64);
    put("hedges", hedges as f64);
    put("amplification", ratio(attempts, requests));
    put("no_backend", no_backend as f64);
    put("upstream_failures", upstream_failures as f64);
    put("ejections", ejections as f64);
    put("scale_events", scale_events as f64);
    if let Some(r) = replicas_max {
        put("replicas_max", f64::from(r));
    }

    let workers = cfg.params.backend.workers;
    for i in 0..layout.backends {
        let node = layout.backend(i);
        if let Some(State::Backend(b)) = sim.state(node) {
            let now = sim.node_clock(node).local(sim.now());
            let (u, q) = b.averages(workers, now);
            put(&format!("utilisation.{i}"), u);
            put(&format!("queue_length.{i}"), q);
        }
    }
    let m = sim.metrics();
    put(
        "wait_mean_s",
        m.histogram("backend_wait")
            .map_or(0.0, |h| h.mean().as_secs_f64()),
    );
    put(
        "wait_probability",
        ratio(m.counter("backend_waited"), m.counter("backend_served")),
    );
    put("rejected", m.counter("backend_rejected") as f64);

    let crashes = crash_detection(sim);
    let detected: Vec<f64> = crashes.iter().filter_map(|c| c.detection).collect();
    put("crashes", crashes.len() as f64);
    put(
        "crashes_undetected",
        (crashes.len() - detected.len()) as f64,
    );
    // No crash detected, no detection time: NaN (null in JSON), never 0 s.
    let (mean, max) = if detected.is_empty() {
        (f64::NAN, f64::NAN)
    } else {
        (
            detected.iter().sum::<f64>() / detected.len() as f64,
            detected.iter().copied().fold(0.0, f64::max),
        )
    };
    put("detection_mean_s", mean);
    put("detection_max_s", max);
    put(
        "crash_window_failures",
        crashes.iter().map(|c| c.failures).sum::<u64>() as f64,
    );
    f
}

/// One crash of a backend and how the balancers took it.
#[derive(Clone, Debug, PartialEq)]
pub struct CrashWindow {
    /// Backend index.
    pub backend: u32,
    /// When it crashed.
    pub at: SimTime,
    /// Seconds until the last balancer took it out of rotation, if all did before it
    /// restarted.
    pub detection: Option<f64>,
    /// Upstream requests sent to it in the window that failed.
    pub failures: u64,
}

/// Every backend crash in the schedule, with its detection time and failures.
pub fn crash_detection(sim: &impl Inspect<Balancing>) -> Vec<CrashWindow> {
    let layout = sim.protocol().layout;
    let end = sim.now();
    let mut out = Vec::new();
    let schedule = sim.schedule();
    for (k, sf) in schedule.iter().enumerate() {
        let Fault::Crash { node } = sf.fault else {
            continue;
        };
        let Role::Backend(backend) = layout.role(node) else {
            continue;
        };
        let at = sf.at;
        if at > end {
            continue;
        }
        let restart = schedule[k + 1..]
            .iter()
            .find(|s| matches!(s.fault, Fault::Restart { node: n } if n == node))
            .map_or(end, |s| s.at.min(end));
        let mut removed: Vec<Option<SimTime>> = vec![None; layout.balancers as usize];
        for o in sim.observations() {
            if o.time < at || o.time > restart {
                continue;
            }
            if let (Observation::OutOfRotation { backend: b, .. }, Role::Balancer(i)) =
                (&o.observation, layout.role(o.node))
            {
                if *b == backend && removed[i as usize].is_none() {
                    removed[i as usize] = Some(o.time);
                }
            }
        }
        let all: Option<Vec<SimTime>> = removed.iter().copied().collect();
        let last = all.and_then(|v| v.into_iter().max());
        let window_end = last.unwrap_or(restart);
        let failures = sim
            .observations()
            .iter()
            .filter(|o| match o.observation {
                Observation::UpstreamFailed {
                    backend: b, waited, ..
                } => {
                    let sent =
                        SimTime::from_nanos(o.time.as_nanos().saturating_sub(waited.as_nanos()));
                    b == backend && sent >= at && sent <= window_end
                }
                _ => false,
            })
            .count() as u64;
        out.push(CrashWindow {
            backend,
            at,
            detection: last.map(|t| t.saturating_since(at).as_secs_f64()),
            failures,
        });
    }
    out
}

/// The node of backend `i`, for callers building faults.
pub fn backend_node(sim: &impl Inspect<Balancing>, i: u32) -> NodeId {
    sim.protocol().layout.backend(i)
}
