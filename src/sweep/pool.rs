//! The worker pool: runs a sweep's seeds on J threads, each run single-threaded.
//!
//! Work is handed out dynamically: an atomic counter gives each idle worker the next
//! seed index, so a slow seed holds up one worker and not a whole pre-assigned batch.
//! Results come back sorted by index, so what a sweep writes does not depend on J or
//! on which worker finished first.
//!
//! Stopping (Ctrl-C) is cooperative: a worker asks `stop` before it takes an
//! index and never takes one it will not run. So the finished indices are always a
//! prefix 0..M of the plan, runs in flight complete, and a stopped sweep has no holes.

use std::sync::atomic::{AtomicU64, Ordering};

/// The number of workers for `seeds` seeds: `--jobs` if given (at least 1), else every
/// core, but never more than the seeds or the cores, since more threads only cost
/// memory and may not be spawnable at all. A reduced `--jobs` is said on stderr.
pub fn workers(requested: Option<usize>, seeds: u64) -> Result<usize, String> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let seeds = usize::try_from(seeds).unwrap_or(usize::MAX).max(1);
    match requested {
        Some(0) => Err("--jobs must be at least 1".to_string()),
        None => Ok(cores.min(seeds)),
        Some(j) if j > cores || j > seeds => {
            let n = j.min(cores).min(seeds);
            let why = if n == seeds {
                format!("{seeds} seed(s) to run")
            } else {
                format!("{cores} core(s) available")
            };
            eprintln!("note: --jobs {j} reduced to {n} worker(s): there are {why}");
            Ok(n)
        }
        Some(j) => Ok(j),
    }
}

/// Runs `work(i)` for i in 0..count on `jobs` threads (at least one) until done or
/// `stop()` says so; returns the finished results in index order, a prefix of 0..count.
pub fn run_indexed<T, F>(
    count: u64,
    jobs: usize,
    stop: &(dyn Fn() -> bool + Sync),
    work: F,
) -> Vec<T>
where
    T: Send,
    F: Fn(u64) -> T + Sync,
{
    let finished = std::sync::Mutex::new(Vec::new());
    for_each_index(count, jobs, stop, |i| {
        let t = work(i);
        finished
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((i, t));
    });
    let mut finished = finished.into_inner().unwrap_or_else(|p| p.into_inner());
    finished.sort_unstable_by_key(|&(i, _)| i);
    debug_assert!(finished
        .iter()
        .enumerate()
        .all(|(k, &(i, _))| k as u64 == i));
    finished.into_iter().map(|(_, t)| t).collect()
}

/// Calls `work(i)` for i in 0..count on `jobs` threads (at least one) until done or
/// `stop()` says so, keeping nothing: `work` puts each result where it belongs. The
/// indices called are a prefix of 0..count.
pub fn for_each_index<F>(count: u64, jobs: usize, stop: &(dyn Fn() -> bool + Sync), work: F)
where
    F: Fn(u64) + Sync,
{
    let next = AtomicU64::new(0);
    let jobs = jobs.max(1).min(count.max(1) as usize);
    let worker = || {
        // Relaxed suffices: the counter only has to hand out each index once, and a
        // stop only has to be seen eventually.
        while !stop() {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= count {
                break;
            }
            work(i);
        }
    };
    std::thread::scope(|scope| {
        // A thread the system refuses (limits, memory) is a worker fewer, not a panic:
        // the workers that did start share the indices between them.
        let workers: Vec<_> = (0..jobs)
            .map_while(|_| std::thread::Builder::new().spawn_scoped(scope, worker).ok())
            .collect();
        if workers.is_empty() {
            return worker();
        }
        for w in workers {
            if let Err(payload) = w.join() {
                // A panic outside a run is a bug in hasim: surface it unchanged.
                std::panic::resume_unwind(payload);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicUsize};

    #[test]
    fn results_come_back_in_order_whatever_the_jobs() {
        let never = || false;
        let one = run_indexed(100, 1, &never, |i| i * i);
        for jobs in [2, 3, 8, 500] {
            assert_eq!(run_indexed(100, jobs, &never, |i| i * i), one);
        }
        assert_eq!(one.len(), 100);
        assert!(run_indexed(0, 4, &never, |i| i).is_empty());
    }

    #[test]
    fn stopping_leaves_a_prefix_without_holes() {
        let stop = AtomicBool::new(false);
        let ran = AtomicUsize::new(0);
        let done = run_indexed(1000, 3, &|| stop.load(Ordering::SeqCst), |i| {
            if ran.fetch_add(1, Ordering::SeqCst) == 20 {
                stop.store(true, Ordering::SeqCst);
            }
            i
        });
        assert!(done.len() >= 21 && done.len() < 1000, "{}", done.len());
        assert_eq!(done.len(), ran.load(Ordering::SeqCst));
        assert_eq!(done, (0..done.len() as u64).collect::<Vec<_>>());
    }
}
