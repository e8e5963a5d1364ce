//! The driver's common part: starting the job, watching executors by heartbeats, and
//! handing messages and timers to the batch or streaming job.

use super::{
    BatchState, Compute, Job, JobState, Msg, Observation, Phase, State, StreamState, Task, Timer,
    Watched,
};
use hasim_sim::{Ctx, NodeId};
use std::collections::VecDeque;

impl Compute {
    pub(super) fn driver_start(&self, ctx: &mut impl Ctx<Self>) -> State {
        let n = self.executors.len();
        let job = match &self.params.job {
            Job::Batch(b) => JobState::Batch(BatchState {
                tasks: vec![Task::default(); b.tasks as usize],
                queue: (0..b.tasks).collect::<VecDeque<u32>>(),
                running: vec![Vec::new(); n],
                done: 0,
                over: b.tasks == 0,
            }),
            Job::Streaming(_) => JobState::Streaming(StreamState {
                phase: Phase::Waiting,
                used: Vec::new(),
                completed: ctx.now(),
                pending: None,
                next_id: 0,
                trigger: None,
                caught_up: None,
            }),
        };
        ctx.set_timer(self.params.heartbeat_interval, Timer::Check);
        // Executors count as live once they register.
        let executors = vec![
            Watched {
                live: false,
                last_heard: ctx.now(),
            };
            n
        ];
        State::Driver {
            executors,
            job: Box::new(job),
        }
    }

    pub(super) fn driver_message(
        &self,
        ctx: &mut impl Ctx<Self>,
        executors: &mut [Watched],
        job: &mut JobState,
        source: NodeId,
        msg: Msg,
    ) {
        let Some(idx) = self.executor_index(source) else {
            return;
        };
        let e = &mut executors[idx as usize];
        e.last_heard = ctx.now();
        let register = msg == Msg::Register;
        if register && e.live {
            // A new process on a node the driver still thought live: the old one died
            // with whatever it ran.
            ctx.observe(Observation::ExecutorLost { node: source });
            self.lost(ctx, executors, job, idx);
        }
        let e = &mut executors[idx as usize];
        if !e.live && (register || msg == Msg::Heartbeat) {
            e.live = true;
            ctx.observe(Observation::ExecutorJoined { node: source });
            self.joined(ctx, executors, job);
        }
        match (job, msg) {
            (JobState::Batch(b), Msg::TaskDone { task, attempt }) => {
                self.task_done(ctx, executors, b, idx, task, attempt)
            }
            (JobState::Streaming(s), Msg::Ack { checkpoint }) => self.ack(ctx, s, idx, checkpoint),
            _ => {}
        }
    }

    pub(super) fn driver_timer(
        &self,
        ctx: &mut impl Ctx<Self>,
        executors: &mut [Watched],
        job: &mut JobState,
        timer: Timer,
    ) {
        match (timer, &mut *job) {
            (Timer::Check, _) => {
                ctx.set_timer(self.params.heartbeat_interval, Timer::Check);
                let now = ctx.now();
                for idx in 0..executors.len() {
                    let e = &executors[idx];
                    if e.live && now.saturating_since(e.last_heard) > self.params.heartbeat_timeout
                    {
                        executors[idx].live = false;
                        ctx.observe(Observation::ExecutorLost {
                            node: self.executors[idx],
                        });
                        self.lost(ctx, executors, job, idx as u16);
                    }
                }
            }
            (Timer::Trigger, JobState::Streaming(s)) => self.trigger(ctx, s),
            (Timer::Restart, JobState::Streaming(s)) => self.restart(ctx, executors, s),
            (Timer::CaughtUp, JobState::Streaming(s)) => {
                s.caught_up = None;
                ctx.observe(Observation::CaughtUp);
            }
            _ => {}
        }
    }

    fn lost(&self, ctx: &mut impl Ctx<Self>, executors: &[Watched], job: &mut JobState, idx: u16) {
        match job {
            JobState::Batch(b) => self.batch_lost(ctx, executors, b, idx),
            JobState::Streaming(s) => self.stream_lost(ctx, s, idx),
        }
    }

    fn joined(&self, ctx: &mut impl Ctx<Self>, executors: &[Watched], job: &mut JobState) {
        match job {
            JobState::Batch(b) => self.schedule(ctx, executors, b),
            JobState::Streaming(s) => {
                if s.phase == Phase::Waiting {
                    self.restart(ctx, executors, s);
                }
            }
        }
    }
}
