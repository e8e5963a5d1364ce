//! The batch job (Spark): tasks to free slots, lost attempts re-queued at the front
//! and counted against `max_task_failures`.

use super::{BatchState, Compute, Job, Msg, Observation, Watched};
use hasim_sim::Ctx;

impl Compute {
    fn batch(&self) -> (u32, u32) {
        match &self.params.job {
            Job::Batch(b) => (b.slots, b.max_task_failures),
            Job::Streaming(_) => (0, 0),
        }
    }

    /// Hands queued tasks to live executors' free slots, most free slots first.
    pub(super) fn schedule(
        &self,
        ctx: &mut impl Ctx<Self>,
        executors: &[Watched],
        b: &mut BatchState,
    ) {
        let (slots, _) = self.batch();
        while !b.over && !b.queue.is_empty() {
            let Some(idx) = (0..executors.len())
                .filter(|&i| executors[i].live && (b.running[i].len() as u32) < slots)
                .min_by_key(|&i| (b.running[i].len(), i))
            else {
                return;
            };
            let task = b.queue.pop_front().expect("a queued task");
            let t = &mut b.tasks[task as usize];
            if t.done {
                continue;
            }
            t.attempts += 1;
            b.running[idx].push(task);
            ctx.send(
                self.executors[idx],
                Msg::Launch {
                    task,
                    attempt: t.attempts,
                },
            );
        }
    }

    pub(super) fn task_done(
        &self,
        ctx: &mut impl Ctx<Self>,
        executors: &[Watched],
        b: &mut BatchState,
        idx: u16,
        task: u32,
        _attempt: u32,
    ) {
        let running = &mut b.running[idx as usize];
        if let Some(at) = running.iter().position(|&t| t == task) {
            running.swap_remove(at);
        }
        // The first attempt to finish completes the task, even one the driver had
        // given up on (its executor was only slow to answer).
        let Some(t) = b.tasks.get_mut(task as usize) else {
            return;
        };
        if !t.done && !b.over {
            t.done = true;
            b.done += 1;
            if b.done as usize == b.tasks.len() {
                b.over = true;
                ctx.observe(Observation::JobCompleted);
            }
        }
        self.schedule(ctx, executors, b);
    }

    pub(super) fn batch_lost(
        &self,
        ctx: &mut impl Ctx<Self>,
        executors: &[Watched],
        b: &mut BatchState,
        idx: u16,
    ) {
        let (_, max_failures) = self.batch();
        let lost = std::mem::take(&mut b.running[idx as usize]);
        // Re-queued at the front in their original order.
        for &task in lost.iter().rev() {
            let t = &mut b.tasks[task as usize];
            if t.done || b.over {
                continue;
            }
            t.failures += 1;
            ctx.count("tasks_rerun", 1);
            ctx.observe(Observation::TaskRerun {
                task,
                failures: t.failures,
            });
            if t.failures >= max_failures {
                b.over = true;
                ctx.observe(Observation::JobFailed { task });
                return;
            }
            b.queue.push_front(task);
        }
        self.schedule(ctx, executors, b);
    }
}
