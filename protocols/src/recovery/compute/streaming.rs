//! The streaming job (Flink): periodic checkpoints at the source's read position,
//! global failover to the last completed checkpoint, and replay until caught up.

use super::{
    Compute, Job, Msg, Observation, PendingCheckpoint, Phase, StreamState, StreamingParams, Timer,
    Watched,
};
use hasim_sim::{Ctx, SimDuration, SimTime};

impl Compute {
    fn stream(&self) -> &StreamingParams {
        match &self.params.job {
            Job::Streaming(s) => s,
            Job::Batch(_) => unreachable!("streaming handlers run only for streaming jobs"),
        }
    }

    /// The source's read position at `now` for a job running since `since` from
    /// `from`: it reads `capacity / input_rate` input-seconds per second until it
    /// reaches the present.
    fn position(&self, since: SimTime, from: SimTime, now: SimTime) -> SimTime {
        let p = self.stream();
        let speed = p.capacity / p.input_rate;
        let read = SimDuration::from_secs_f64(now.saturating_since(since).as_secs_f64() * speed);
        from.saturating_add(read).min(now)
    }

    pub(super) fn trigger(&self, ctx: &mut impl Ctx<Self>, s: &mut StreamState) {
        let p = self.stream();
        s.trigger = Some(ctx.set_timer(p.checkpoint_interval, Timer::Trigger));
        let Phase::Running { since, from } = s.phase else {
            return;
        };
        if s.pending.is_some() {
            return;
        }
        s.next_id += 1;
        let id = s.next_id;
        s.pending = Some(PendingCheckpoint {
            id,
            position: self.position(since, from, ctx.now()),
            waiting: s.used.clone(),
        });
        for &e in &s.used {
            ctx.send(self.executors[e as usize], Msg::Barrier { checkpoint: id });
        }
    }

    pub(super) fn ack(&self, ctx: &mut impl Ctx<Self>, s: &mut StreamState, idx: u16, id: u64) {
        let Some(pending) = s.pending.as_mut().filter(|c| c.id == id) else {
            return;
        };
        pending.waiting.retain(|&e| e != idx);
        if pending.waiting.is_empty() {
            s.completed = pending.position;
            ctx.count("checkpoints", 1);
            ctx.observe(Observation::CheckpointCompleted {
                checkpoint: id,
                position: pending.position,
            });
            s.pending = None;
        }
    }

    pub(super) fn stream_lost(&self, ctx: &mut impl Ctx<Self>, s: &mut StreamState, idx: u16) {
        if !matches!(s.phase, Phase::Running { .. }) || !s.used.contains(&idx) {
            return;
        }
        ctx.count("failovers", 1);
        ctx.observe(Observation::Failover);
        s.pending = None;
        for t in [s.trigger.take(), s.caught_up.take()].into_iter().flatten() {
            ctx.cancel_timer(t);
        }
        s.phase = Phase::Restarting;
        ctx.set_timer(self.stream().restart_delay, Timer::Restart);
    }

    /// Starts the job on the first `parallelism` live executors, from the last
    /// completed checkpoint, or waits for enough of them.
    pub(super) fn restart(
        &self,
        ctx: &mut impl Ctx<Self>,
        executors: &[Watched],
        s: &mut StreamState,
    ) {
        let p = self.stream();
        let want = if p.parallelism == 0 {
            executors.len()
        } else {
            p.parallelism as usize
        };
        let live: Vec<u16> = (0..executors.len())
            .filter(|&i| executors[i].live)
            .map(|i| i as u16)
            .take(want)
            .collect();
        if live.len() < want {
            s.phase = Phase::Waiting;
            return;
        }
        let now = ctx.now();
        let first = s.next_id == 0 && s.used.is_empty();
        s.used = live;
        if first {
            // The job's first start reads from the present: nothing to replay.
            s.completed = now;
        } else {
            ctx.observe(Observation::Restarted { from: s.completed });
            let behind = now.saturating_since(s.completed).as_secs_f64();
            let catch_up = behind * p.input_rate / (p.capacity - p.input_rate);
            s.caught_up =
                Some(ctx.set_timer(SimDuration::from_secs_f64(catch_up), Timer::CaughtUp));
        }
        s.phase = Phase::Running {
            since: now,
            from: s.completed,
        };
        if let Some(t) = s.trigger.take() {
            ctx.cancel_timer(t);
        }
        s.trigger = Some(ctx.set_timer(p.checkpoint_interval, Timer::Trigger));
    }
}
