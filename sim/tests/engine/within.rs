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

struct SoloLens;

impl Lens for SoloLens {
    type Host = Solo;
    type Part = Probe;
    fn msg(msg: Ping) -> Wrap<Ping> {
        Wrap(msg)
    }
    fn timer(timer: Tag) -> Wrap<Tag> {
        Wrap(timer)
    }
    fn observation(observation: Obs) -> Wrap<Obs> {
        Wrap(observation)
    }
    fn write(write: crate::probe::Entry) -> crate::probe::Entry {
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
