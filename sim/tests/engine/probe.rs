//! `Probe`: a scriptable test protocol. It records every start, message and timer as
//! an observation (so tests read what happened, and when, from `sim.observations()`),
//! and hands control to hooks the test supplies, so each test states only the
//! behaviour it is about.

use hasim_sim::{
    Ctx, Describe, Detail, Durable, Fault, NodeId, Protocol, ScheduledFault, Sim, SimDuration,
    SimTime, VecSink,
};
use std::cell::RefCell;
use std::rc::Rc;

/// The only message: a number, so tests can tell copies apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ping(pub u64);

/// A timer tag chosen by the test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tag(pub u32);

/// One durable write: a number appended to the node's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry(pub u64);

/// The durable image: every entry written, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Log(pub Vec<u64>);

impl Durable for Log {
    type Write = Entry;
    fn apply(&mut self, write: &Entry) {
        self.0.push(write.0);
    }
}

/// What a node saw. `Fired` carries the local clock reading, the rest of the timing
/// comes from `Observed::time` (global).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Obs {
    Started { incarnation: u32, log: Vec<u64> },
    Got { from: NodeId, n: u64 },
    Fired { tag: u32, local: SimTime },
}

/// Volatile state: lost on a crash, kept across a pause.
#[derive(Debug, Default)]
pub struct ProbeState {
    /// Messages and timers handled since this incarnation started.
    pub handled: u64,
    /// Numbers received since this incarnation started.
    pub inbox: Vec<u64>,
}

type StartHook = Box<dyn Fn(&mut dyn Ctx<Probe>, &Log)>;
type TimerHook = Box<dyn Fn(&mut dyn Ctx<Probe>, Tag)>;
type MessageHook = Box<dyn Fn(&mut dyn Ctx<Probe>, NodeId, u64)>;

/// The protocol: all behaviour lives in the hooks.
pub struct Probe {
    start: StartHook,
    timer: TimerHook,
    message: MessageHook,
}

impl Probe {
    /// A probe that records and does nothing else.
    pub fn new() -> Self {
        Probe {
            start: Box::new(|_, _| {}),
            timer: Box::new(|_, _| {}),
            message: Box::new(|_, _, _| {}),
        }
    }
    /// Runs `f` at every start and restart, after the `Started` observation.
    pub fn on_start(mut self, f: impl Fn(&mut dyn Ctx<Probe>, &Log) + 'static) -> Self {
        self.start = Box::new(f);
        self
    }
    /// Runs `f` whenever a timer fires, after the `Fired` observation.
    pub fn on_timer(mut self, f: impl Fn(&mut dyn Ctx<Probe>, Tag) + 'static) -> Self {
        self.timer = Box::new(f);
        self
    }
    /// Runs `f` whenever a message arrives, after the `Got` observation.
    pub fn on_message(mut self, f: impl Fn(&mut dyn Ctx<Probe>, NodeId, u64) + 'static) -> Self {
        self.message = Box::new(f);
        self
    }
}

impl Protocol for Probe {
    type Msg = Ping;
    type Timer = Tag;
    type State = ProbeState;
    type Durable = Log;
    type View = u64;
    type Observation = Obs;

    fn start(&self, ctx: &mut impl Ctx<Self>, durable: &Log) -> ProbeState {
        ctx.observe(Obs::Started {
            incarnation: ctx.incarnation().0,
            log: durable.0.clone(),
        });
        (self.start)(ctx, durable);
        ProbeState::default()
    }

    fn on_message(
        &self,
        ctx: &mut impl Ctx<Self>,
        state: &mut ProbeState,
        from: NodeId,
        msg: Ping,
    ) {
        state.handled += 1;
        state.inbox.push(msg.0);
        ctx.observe(Obs::Got { from, n: msg.0 });
        (self.message)(ctx, from, msg.0);
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut ProbeState, tag: Tag) {
        state.handled += 1;
        let local = ctx.now();
        ctx.observe(Obs::Fired { tag: tag.0, local });
        (self.timer)(ctx, tag);
    }

    fn view(&self, state: &ProbeState) -> u64 {
        state.handled
    }
}

impl Describe for Ping {
    fn describe(&self, d: &mut Detail<'_>) {
        d.name("ping").u64("n", self.0);
    }
}
impl Describe for Tag {
    fn describe(&self, d: &mut Detail<'_>) {
        d.name("tag").u64("id", u64::from(self.0));
    }
}
impl Describe for Entry {
    fn describe(&self, d: &mut Detail<'_>) {
        d.name("entry").u64("n", self.0);
    }
}
impl Describe for Obs {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Obs::Started { incarnation, log } => {
                let log: Vec<String> = log.iter().map(u64::to_string).collect();
                d.name("started")
                    .u64("incarnation", u64::from(*incarnation))
                    .str("log", &log.join(","))
            }
            Obs::Got { from, n } => d.name("got").node("from", *from).u64("n", *n),
            Obs::Fired { tag, local } => d
                .name("fired")
                .u64("tag", u64::from(*tag))
                .time("local", *local),
        };
    }
}

// ----- Small helpers shared by the test modules -----

pub fn ms(n: u64) -> SimDuration {
    SimDuration::from_millis(n)
}

pub fn at_ms(n: u64) -> SimTime {
    SimTime::from_nanos(n * 1_000_000)
}

pub fn at_secs(n: u64) -> SimTime {
    SimTime::from_nanos(n * 1_000_000_000)
}

pub fn fault(at: SimTime, fault: Fault) -> ScheduledFault {
    ScheduledFault { at, fault }
}

/// Attaches an in-memory sink and returns a handle to read it after the run.
pub fn record_trace<P: Protocol>(sim: &mut Sim<P>) -> Rc<RefCell<VecSink>> {
    let sink = Rc::new(RefCell::new(VecSink::default()));
    sim.trace_sink(sink.clone());
    sink
}

/// The trace as text, one record per line.
pub fn trace_lines(sink: &Rc<RefCell<VecSink>>) -> Vec<String> {
    sink.borrow().0.iter().map(|r| r.to_string()).collect()
}

/// Messages `node` received: (global time, sender, number).
pub fn got(sim: &Sim<Probe>, node: NodeId) -> Vec<(SimTime, NodeId, u64)> {
    sim.observations()
        .iter()
        .filter(|o| o.node == node)
        .filter_map(|o| match o.observation {
            Obs::Got { from, n } => Some((o.time, from, n)),
            _ => None,
        })
        .collect()
}

/// Timers that fired on `node`: (global time, tag, local reading).
pub fn fired(sim: &Sim<Probe>, node: NodeId) -> Vec<(SimTime, u32, SimTime)> {
    sim.observations()
        .iter()
        .filter(|o| o.node == node)
        .filter_map(|o| match o.observation {
            Obs::Fired { tag, local } => Some((o.time, tag, local)),
            _ => None,
        })
        .collect()
}

/// Starts of `node`: (global time, incarnation, durable log handed to it).
pub fn starts(sim: &Sim<Probe>, node: NodeId) -> Vec<(SimTime, u32, Vec<u64>)> {
    sim.observations()
        .iter()
        .filter(|o| o.node == node)
        .filter_map(|o| match &o.observation {
            Obs::Started { incarnation, log } => Some((o.time, *incarnation, log.clone())),
            _ => None,
        })
        .collect()
}

/// A probe where node `from` sends `Ping(n)` to `to` at each of `times` (via timers
/// tagged with n), so tests can place sends precisely.
pub fn sends_at(from: NodeId, to: NodeId, times: &[(u64, SimDuration)]) -> Probe {
    let plan = times.to_vec();
    Probe::new()
        .on_start(move |ctx, _| {
            if ctx.id() == from && ctx.incarnation().0 == 0 {
                for &(n, after) in &plan {
                    ctx.set_timer(after, Tag(n as u32));
                }
            }
        })
        .on_timer(move |ctx, tag| {
            if ctx.id() == from {
                ctx.send(to, Ping(u64::from(tag.0)));
            }
        })
}

/// A busy, random workload: every node wakes at random intervals, pings a random peer
/// with a random number, answers some pings, and persists some. It draws from the node
/// streams and (through the network settings the caller picks) the network stream, so
/// any leak of nondeterminism shows up in its trace.
pub fn chatter() -> Probe {
    Probe::new()
        .on_start(|ctx, _| {
            let wait = ctx.rng().between(1, 50);
            ctx.set_timer(ms(wait), Tag(0));
        })
        .on_timer(|ctx, _| {
            let others = ctx.node_count() - 1;
            let pick = ctx.rng().below(u64::from(others)) as u32;
            let peer = if pick >= ctx.id().0 { pick + 1 } else { pick };
            let n = ctx.rng().below(1000);
            ctx.send(NodeId(peer), Ping(n));
            let wait = ctx.rng().between(1, 50);
            ctx.set_timer(ms(wait), Tag(0));
        })
        .on_message(|ctx, from, n| {
            if n % 3 == 0 {
                ctx.send(from, Ping(n + 1));
            }
            if n % 5 == 0 {
                ctx.persist(Entry(n));
            }
        })
}
