//! Composition: a protocol run as a part of another through `Within` behaves exactly as
//! it does alone (same observations, same durable images, under crashes and pauses),
//! sees only its span with its own ids, and a `Projection` reads the host's run back
//! in the part's ids.

use crate::probe::{at_ms, fault, ms, Log, Obs, Ping, Probe, Tag};
use hasim_sim::{
    Ctx, Describe, Detail, Fault, Inspect, Lens, NodeId, Observed, Outcome, Projection, Protocol,
    Sim, Span, Within,
};

/// A host that runs one probe on `span` and nothing elsewhere.
struct Solo {
    probe: Probe,
    span: Span,
}

#[derive(Clone, Copy, Debug)]
struct Wrap<T>(T);

impl<T: Describe> Describe for Wrap<T> {
    fn describe(&self, d: &mut Detail<'_>) {
        self.0.describe(d.name("solo"));
    }
}

#[derive(Default)]
struct SoloLens;

impl Lens for SoloLens {
    type Host = Solo;
    type Part = Probe;
    fn msg(&self, msg: Ping) -> Wrap<Ping> {
        Wrap(msg)
    }
    fn timer(&self, timer: Tag, _: u32) -> Wrap<Tag> {
        Wrap(timer)
    }
    fn observation(&self, observation: Obs) -> Wrap<Obs> {
        Wrap(observation)
    }
    fn write(&self, write: crate::probe::Entry) -> crate::probe::Entry {
        write
    }
}

impl Protocol for Solo {
    type Msg = Wrap<Ping>;
    type Timer = Wrap<Tag>;
    type State = Option<<Probe as Protocol>::State>;
    type Durable = Log;
    type View = Option<u64>;
    type Observation = Wrap<Obs>;

    fn start(&self, ctx: &mut impl Ctx<Self>, durable: &Log) -> Self::State {
        self.span.part(ctx.id())?;
        Some(
            self.probe
                .start(&mut Within::<_, SoloLens>::new(ctx, self.span), durable),
        )
    }

    fn on_message(
        &self,
        ctx: &mut impl Ctx<Self>,
        s: &mut Self::State,
        source: NodeId,
        m: Wrap<Ping>,
    ) {
        let (Some(s), Some(source)) = (s.as_mut(), self.span.part(source)) else {
            return;
        };
        let mut w = Within::<_, SoloLens>::new(ctx, self.span);
        Protocol::on_message(&self.probe, &mut w, s, source, m.0);
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, s: &mut Self::State, timer: Wrap<Tag>) {
        if let Some(s) = s.as_mut() {
            Protocol::on_timer(
                &self.probe,
                &mut Within::<_, SoloLens>::new(ctx, self.span),
                s,
                timer.0,
            );
        }
    }

    fn view(&self, s: &Self::State) -> Option<u64> {
        s.as_ref().map(|s| self.probe.view(s))
    }
}

/// Pings the next node every 100 ms (local time), a random one every third round;
/// writes its incarnation to disk at each start, synced.
fn chatty() -> Probe {
    Probe::new()
        .on_start(|ctx, _| {
            let i = u64::from(ctx.incarnation().0);
            ctx.persist_synced(crate::probe::Entry(i));
            ctx.set_timer(ms(100), Tag(0));
        })
        .on_timer(|ctx, tag| {
            let n = ctx.node_count();
            let next = if tag.0 % 3 == 2 {
                NodeId(ctx.rng().below(u64::from(n)) as u32)
            } else {
                NodeId((ctx.id().0 + 1) % n)
            };
            ctx.send(next, Ping(u64::from(ctx.id().0)));
            ctx.set_timer(ms(100), Tag(tag.0 + 1));
        })
}

fn faults(offset: u32) -> Vec<hasim_sim::ScheduledFault> {
    let n = |i: u32| NodeId(i + offset);
    vec![
        fault(at_ms(250), Fault::Crash { node: n(1) }),
        fault(at_ms(620), Fault::Restart { node: n(1) }),
        fault(at_ms(300), Fault::Pause { node: n(2) }),
        fault(at_ms(700), Fault::Resume { node: n(2) }),
    ]
}

#[test]
fn a_part_spanning_every_node_behaves_exactly_as_the_protocol_alone() {
    let mut alone = Sim::new(chatty(), 4, 9);
    alone.horizon(at_ms(1500)).faults(faults(0)).unwrap();
    assert_eq!(alone.run(), Outcome::HorizonReached);

    let solo = Solo {
        probe: chatty(),
        span: Span::new(0, 4),
    };
    let mut host = Sim::new(solo, 4, 9);
    host.horizon(at_ms(1500)).faults(faults(0)).unwrap();
    assert_eq!(host.run(), Outcome::HorizonReached);

    let unwrapped: Vec<Observed<Obs>> = host
        .observations()
        .iter()
        .map(|o| Observed {
            time: o.time,
            node: o.node,
            observation: o.observation.0.clone(),
        })
        .collect();
    assert!(unwrapped.len() > 40, "{} observations", unwrapped.len());
    assert_eq!(unwrapped, alone.observations());
    for n in 0..4 {
        assert_eq!(
            host.durable(NodeId(n)),
            alone.durable(NodeId(n)),
            "node {n}"
        );
    }
    // The restarted node wrote its two incarnations through the lens.
    assert_eq!(host.durable(NodeId(1)).0, vec![0, 1]);
}

#[test]
fn a_part_on_a_span_sees_its_own_ids_and_a_projection_reads_them_back() {
    // Host node 0 runs nothing; the part's nodes 0..3 are host nodes 1..4.
    let span = Span::new(1, 3);
    let solo = Solo {
        probe: chatty(),
        span,
    };
    let mut host = Sim::new(solo, 4, 3);
    host.horizon(at_ms(1500)).faults(faults(1)).unwrap();
    assert_eq!(host.run(), Outcome::HorizonReached);
    assert!(host.observations().iter().all(|o| o.node != NodeId(0)));
    assert!(host.state(NodeId(0)).is_some_and(Option::is_none));

    let part = Projection::new(
        &host,
        &host.protocol().probe,
        span,
        |s| s.as_ref(),
        |d| d,
        |o: &Wrap<Obs>| Some(o.0.clone()),
    );
    assert_eq!(part.node_count(), 3);
    assert_eq!(part.observations().len(), host.observations().len());
    let mut got = 0;
    for o in part.observations() {
        assert!(o.node.0 < 3);
        if let Obs::Got { from, n } = o.observation {
            // Senders are part ids, and each ping carries its sender's part id.
            assert!(from.0 < 3 && n == u64::from(from.0), "{o:?}");
            got += 1;
        }
    }
    assert!(got > 20, "{got} pings");
    // Faults on host nodes 2 and 3 are the part's nodes 1 and 2.
    let nodes: Vec<NodeId> = part
        .schedule()
        .iter()
        .flat_map(|f| f.fault.nodes())
        .collect();
    assert_eq!(nodes, [NodeId(1), NodeId(2), NodeId(1), NodeId(2)]);
    assert_eq!(part.durable(NodeId(1)).0, vec![0, 1]);
    // Part node 1 is host node 2, down from 250 ms to 620 ms.
    let down = part
        .timeline(NodeId(1))
        .intervals(hasim_sim::Status::Down, at_ms(1500));
    assert_eq!(down, vec![(at_ms(250), at_ms(620))]);
}

/// A host that restarts its part whenever the part receives a message: a new run with
/// the next tag. `honour_tags: false` lets every run's timers through, as a host that
/// forgot its runs would.
struct Restarting {
    probe: Probe,
    honour_tags: bool,
}

/// A part timer with the run it was set in.
#[derive(Clone, Copy, Debug)]
struct RunTimer(Tag, u32);

impl Describe for RunTimer {
    fn describe(&self, d: &mut Detail<'_>) {
        self.0.describe(d.name("run").u64("tag", self.1.into()));
    }
}

#[derive(Default)]
struct RunLens;

impl Lens for RunLens {
    type Host = Restarting;
    type Part = Probe;
    fn msg(&self, msg: Ping) -> Ping {
        msg
    }
    fn timer(&self, timer: Tag, tag: u32) -> RunTimer {
        RunTimer(timer, tag)
    }
    fn observation(&self, observation: Obs) -> Obs {
        observation
    }
    fn write(&self, write: crate::probe::Entry) -> crate::probe::Entry {
        write
    }
}

impl Protocol for Restarting {
    type Msg = Ping;
    type Timer = RunTimer;
    type State = (<Probe as Protocol>::State, u32);
    type Durable = Log;
    type View = u64;
    type Observation = Obs;

    fn start(&self, ctx: &mut impl Ctx<Self>, durable: &Log) -> Self::State {
        let all = Span::new(0, ctx.node_count());
        let w = &mut Within::<_, RunLens>::new(ctx, all);
        (self.probe.start(w, durable), 0)
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, s: &mut Self::State, source: NodeId, m: Ping) {
        let all = Span::new(0, ctx.node_count());
        Protocol::on_message(
            &self.probe,
            &mut Within::<_, RunLens>::new(ctx, all).tagged(s.1),
            &mut s.0,
            source,
            m,
        );
        s.1 += 1;
        let w = &mut Within::<_, RunLens>::new(ctx, all).tagged(s.1);
        s.0 = self.probe.start(w, &Log::default());
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, s: &mut Self::State, timer: RunTimer) {
        if self.honour_tags && timer.1 != s.1 {
            return;
        }
        let all = Span::new(0, ctx.node_count());
        let w = &mut Within::<_, RunLens>::new(ctx, all).tagged(s.1);
        Protocol::on_timer(&self.probe, w, &mut s.0, timer.0);
    }

    fn view(&self, s: &Self::State) -> u64 {
        self.probe.view(&s.0)
    }
}

#[test]
fn a_restarted_part_gets_only_its_own_runs_timers() {
    let pings = |honour_tags| {
        let host = Restarting {
            probe: chatty(),
            honour_tags,
        };
        let mut sim = Sim::new(host, 4, 5);
        sim.horizon(at_ms(1000));
        assert_eq!(sim.run(), Outcome::HorizonReached);
        sim.observations()
            .iter()
            .filter(|o| matches!(o.observation, Obs::Got { .. }))
            .count()
    };
    // One timer chain per node: a ping per node per 100 ms, 4 nodes, 1 s.
    let honoured = pings(true);
    assert!((30..=40).contains(&honoured), "{honoured} pings");
    // Each restart that let the dead run's chain live on adds a chain.
    let leaked = pings(false);
    assert!(leaked > 2 * honoured, "{leaked} pings, {honoured} honoured");
}
