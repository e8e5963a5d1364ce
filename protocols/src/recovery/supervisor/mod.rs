//! `supervisor`: a process under a Kubernetes-style restart supervisor (the kubelet).
//!
//! **The algorithm.** Each `service` node runs one container process and the
//! supervisor that watches it. The process fails on its own: a start may fail at once
//! (`start_failure_probability`), it may crash a fixed time after starting
//! (`crash_after`) or at a random time (`crash_mtbf`), hang (`hang_mtbf`: still
//! running, answering nothing) or exit cleanly (`exit_after`); each start draws its
//! fate from the node's random stream. A crash or exit is seen by the supervisor at
//! once (the runtime reports it). A hang is seen only by the liveness probe: every
//! `period` a probe is sent, a probe unanswered after `timeout` fails, and
//! `failure_threshold` failures in a row kill the process. After an exit, the restart
//! policy decides (`Always`; `OnFailure`: not after a clean exit; `Never`), and a
//! restart waits the back-off: 10 s, doubling to 5 min, back to 10 s once a run was
//! healthy for 10 min (CrashLoopBackOff).
//!
//! **Why the supervisor is inside the node.** The kubelet runs on the same machine as
//! its containers and probes them locally; and a protocol cannot crash or restart
//! another node (those are engine faults). So the process is a state machine in the
//! node's protocol state (Running, Hung, BackingOff, Stopped) and kill and restart are
//! protocol transitions. An engine crash of the node is a machine failure: process and
//! kubelet go down together, and the back-off, kept in the kubelet's memory as in
//! Kubernetes, starts again from 10 s when the node comes back.
//!
//! **What it simplifies.** No readiness or startup probes, no graceful termination
//! period (a kill is instant), no image pulls or start-up time (a start is instant),
//! probes have no network latency and a healthy process answers at once; a hang lasts
//! until the process is killed. Exits are not distinguished by exit code beyond clean
//! or not.
//!
//! **What it promises.** Every start is one `started` observation; every end of a run
//! is exactly one of `crashed`, `killed` or `completed`, followed by `back_off` with
//! the delay before the next start or by `stopped`. A hang is killed
//! `(failure_threshold − 1) × period + timeout` to `failure_threshold × period +
//! timeout` after it began.

mod backoff;
pub mod catalogue;
pub mod figures;
mod params;

pub use backoff::Backoff;
pub use params::{Liveness, RestartPolicy, ServiceParams};

use hasim_sim::{Ctx, Describe, Detail, NodeId, Protocol, SimDuration, SimTime, TimerId};

/// The configuration: each node's service parameters (none for other nodes).
#[derive(Clone, Debug, PartialEq)]
pub struct Supervisor {
    services: Vec<Option<ServiceParams>>,
}

impl Supervisor {
    /// A configuration from each node's parameters (index = node id; `None`: the node
    /// takes no part).
    pub fn new(services: Vec<Option<ServiceParams>>) -> Self {
        Supervisor { services }
    }

    /// The service nodes, in id order.
    pub fn service_nodes(&self) -> Vec<NodeId> {
        (0..self.services.len())
            .filter(|&i| self.services[i].is_some())
            .map(|i| NodeId(i as u32))
            .collect()
    }

    fn params(&self, node: NodeId) -> Option<&ServiceParams> {
        self.services.get(node.index()).and_then(Option::as_ref)
    }
}

/// No messages: the probe is local to the node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {}

/// How a run of the process is going to end, drawn at its start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// It crashes.
    Crash,
    /// It hangs.
    Hang,
    /// It exits cleanly.
    Exit,
}

/// Timer tags; `attempt` is the start they belong to, so a late timer of an earlier
/// run is ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// The run meets its fate.
    Fate {
        /// The start.
        attempt: u32,
        /// What happens.
        fate: Fate,
    },
    /// The next liveness probe is due.
    Probe {
        /// The start.
        attempt: u32,
    },
    /// A probe to a hung process timed out.
    ProbeTimeout {
        /// The start.
        attempt: u32,
    },
    /// The back-off is over: start again.
    Restart {
        /// The start that ended.
        attempt: u32,
    },
}

/// What the supervisor saw, in order, per service node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observation {
    /// The process started (attempt 0 is the first start of this incarnation).
    Started {
        /// Starts before this one, since the node came up.
        attempt: u32,
    },
    /// The process hung (the truth; the supervisor learns it from the probe).
    Hung,
    /// A liveness probe failed.
    ProbeFailed {
        /// Failures in a row.
        failures: u32,
    },
    /// The process crashed.
    Crashed,
    /// The liveness probe killed the process.
    Killed,
    /// The process exited cleanly.
    Completed,
    /// The next start waits this long.
    BackOff {
        /// The delay.
        delay: SimDuration,
    },
    /// The restart policy leaves the process down.
    Stopped,
}

impl Observation {
    /// Whether the process is running and responsive from this observation on
    /// (`None`: this observation does not change it).
    pub fn available(&self) -> Option<bool> {
        match self {
            Observation::Started { .. } => Some(true),
            Observation::Hung
            | Observation::Crashed
            | Observation::Killed
            | Observation::Completed
            | Observation::Stopped => Some(false),
            Observation::ProbeFailed { .. } | Observation::BackOff { .. } => None,
        }
    }

    /// Whether the process waits in back-off from this observation on.
    pub fn backing_off(&self) -> Option<bool> {
        match self {
            Observation::BackOff { .. } => Some(true),
            Observation::Started { .. } | Observation::Stopped => Some(false),
            _ => None,
        }
    }
}

/// The process, as its supervisor holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Process {
    /// Running since `since`; hung since `hung_at` if it hung.
    Running {
        /// When it started.
        since: SimTime,
        /// When it stopped answering.
        hung_at: Option<SimTime>,
    },
    /// Waiting for its restart.
    BackingOff,
    /// Down for good (restart policy).
    Stopped,
}

/// A service node's volatile state: the process and its supervisor.
#[derive(Clone, Debug)]
pub struct Service {
    attempt: u32,
    process: Process,
    backoff: Backoff,
    probe_failures: u32,
    fate: Option<TimerId>,
    probe: Option<TimerId>,
}

/// A node's volatile state.
#[derive(Clone, Debug)]
pub enum State {
    /// A service node.
    Service(Service),
    /// A node with no part in this model.
    Idle,
}

/// What properties see of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// Running and answering.
    Running,
    /// Running, answering nothing.
    Hung,
    /// Waiting to restart.
    BackingOff,
    /// Down for good.
    Stopped,
    /// Not a service node.
    Idle,
}

impl Describe for Msg {
    fn describe(&self, _: &mut Detail<'_>) {
        match *self {}
    }
}

impl Fate {
    fn name(self) -> &'static str {
        match self {
            Fate::Crash => "crash",
            Fate::Hang => "hang",
            Fate::Exit => "exit",
        }
    }
}

impl Describe for Timer {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Timer::Fate { attempt, fate } => d
                .name("fate")
                .u64("attempt", attempt.into())
                .str("fate", fate.name()),
            Timer::Probe { attempt } => d.name("probe").u64("attempt", attempt.into()),
            Timer::ProbeTimeout { attempt } => {
                d.name("probe_timeout").u64("attempt", attempt.into())
            }
            Timer::Restart { attempt } => d.name("restart").u64("attempt", attempt.into()),
        };
    }
}

impl Describe for Observation {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Observation::Started { attempt } => d.name("started").u64("attempt", attempt.into()),
            Observation::Hung => d.name("hung"),
            Observation::ProbeFailed { failures } => {
                d.name("probe_failed").u64("failures", failures.into())
            }
            Observation::Crashed => d.name("crashed"),
            Observation::Killed => d.name("killed"),
            Observation::Completed => d.name("completed"),
            Observation::BackOff { delay } => d.name("back_off").duration("delay", delay),
            Observation::Stopped => d.name("stopped"),
        };
    }
}

/// An exponential draw with mean `mean`, if there is one.
fn draw(ctx: &mut impl Ctx<Supervisor>, mean: Option<SimDuration>) -> Option<SimDuration> {
    mean.map(|m| SimDuration::from_secs_f64(ctx.rng().exponential(m.as_secs_f64())))
}

impl Supervisor {
    /// Starts the process: draws its fate and arms the first probe.
    fn launch(&self, ctx: &mut impl Ctx<Self>, s: &mut Service, params: &ServiceParams) {
        let attempt = s.attempt;
        ctx.observe(Observation::Started { attempt });
        if attempt > 0 {
            ctx.count("restarts", 1);
        }
        s.process = Process::Running {
            since: ctx.now(),
            hung_at: None,
        };
        s.probe_failures = 0;
        // Draws in a fixed order, whatever the parameters, so that turning one failure
        // mode on does not reshuffle the others' draws.
        let start_failed = ctx.rng().chance(params.start_failure_probability);
        let crash = draw(ctx, params.crash_mtbf);
        let hang = draw(ctx, params.hang_mtbf);
        let candidates = [
            (start_failed.then_some(SimDuration::ZERO), Fate::Crash),
            (params.crash_after, Fate::Crash),
            (crash, Fate::Crash),
            (hang, Fate::Hang),
            (params.exit_after, Fate::Exit),
        ];
        let first = candidates
            .iter()
            .filter_map(|&(at, fate)| at.map(|at| (at, fate)))
            .min_by_key(|&(at, _)| at);
        s.fate = first.map(|(after, fate)| ctx.set_timer(after, Timer::Fate { attempt, fate }));
        s.probe = params
            .liveness
            .as_ref()
            .map(|l| ctx.set_timer(l.initial_delay + l.period, Timer::Probe { attempt }));
    }

    /// The process ended (`how` is `crashed`, `killed` or `completed`): the restart
    /// policy and the back-off decide what comes next.
    fn exited(
        &self,
        ctx: &mut impl Ctx<Self>,
        s: &mut Service,
        params: &ServiceParams,
        how: Observation,
    ) {
        let Process::Running { since, hung_at } = s.process else {
            return;
        };
        for timer in [s.fate.take(), s.probe.take()].into_iter().flatten() {
            ctx.cancel_timer(timer);
        }
        let clean = how == Observation::Completed;
        ctx.observe(how);
        let restart = match params.restart_policy {
            RestartPolicy::Always => true,
            RestartPolicy::OnFailure => !clean,
            RestartPolicy::Never => false,
        };
        if !restart {
            s.process = Process::Stopped;
            ctx.observe(Observation::Stopped);
            return;
        }
        let healthy_for = hung_at.unwrap_or(ctx.now()).saturating_since(since);
        let delay = s.backoff.delay(healthy_for);
        ctx.sample("backoff", delay);
        ctx.observe(Observation::BackOff { delay });
        s.process = Process::BackingOff;
        ctx.set_timer(delay, Timer::Restart { attempt: s.attempt });
    }
}

impl Protocol for Supervisor {
    type Msg = Msg;
    type Timer = Timer;
    type State = State;
    type Durable = ();
    type View = View;
    type Observation = Observation;

    fn start(&self, ctx: &mut impl Ctx<Self>, _: &()) -> State {
        let Some(params) = self.params(ctx.id()) else {
            return State::Idle;
        };
        let mut s = Service {
            attempt: 0,
            process: Process::Stopped,
            backoff: Backoff::new(
                params.backoff_initial,
                params.backoff_max,
                params.backoff_reset,
            ),
            probe_failures: 0,
            fate: None,
            probe: None,
        };
        self.launch(ctx, &mut s, params);
        State::Service(s)
    }

    fn on_message(&self, _: &mut impl Ctx<Self>, _: &mut State, _: NodeId, msg: Msg) {
        match msg {}
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut State, timer: Timer) {
        let (State::Service(s), Some(params)) = (state, self.params(ctx.id())) else {
            return;
        };
        match timer {
            Timer::Fate { attempt, fate } if attempt == s.attempt => {
                s.fate = None;
                match fate {
                    Fate::Crash => self.exited(ctx, s, params, Observation::Crashed),
                    Fate::Exit => self.exited(ctx, s, params, Observation::Completed),
                    Fate::Hang => {
                        if let Process::Running { hung_at, .. } = &mut s.process {
                            *hung_at = Some(ctx.now());
                            ctx.observe(Observation::Hung);
                        }
                    }
                }
            }
            Timer::Probe { attempt } if attempt == s.attempt => {
                let (Some(l), Process::Running { hung_at, .. }) = (&params.liveness, s.process)
                else {
                    return;
                };
                s.probe = Some(ctx.set_timer(l.period, Timer::Probe { attempt }));
                if hung_at.is_some() {
                    ctx.set_timer(l.timeout, Timer::ProbeTimeout { attempt });
                } else {
                    s.probe_failures = 0;
                }
            }
            Timer::ProbeTimeout { attempt } if attempt == s.attempt => {
                let (
                    Some(l),
                    Process::Running {
                        hung_at: Some(_), ..
                    },
                ) = (&params.liveness, s.process)
                else {
                    return;
                };
                s.probe_failures += 1;
                ctx.observe(Observation::ProbeFailed {
                    failures: s.probe_failures,
                });
                if s.probe_failures >= l.failure_threshold {
                    ctx.count("probe_kills", 1);
                    self.exited(ctx, s, params, Observation::Killed);
                }
            }
            Timer::Restart { attempt } if attempt == s.attempt => {
                s.attempt += 1;
                self.launch(ctx, s, params);
            }
            _ => {}
        }
    }

    fn view(&self, state: &State) -> View {
        match state {
            State::Service(s) => match s.process {
                Process::Running { hung_at: None, .. } => View::Running,
                Process::Running { .. } => View::Hung,
                Process::BackingOff => View::BackingOff,
                Process::Stopped => View::Stopped,
            },
            State::Idle => View::Idle,
        }
    }
}
