//! The topology inside the engine: a `Sim` routes over it, hop latencies add up on
//! the wire, and the engine's `link_down`/`link_up` faults reach the topology.

use hasim_sim::{
    Ctx, Describe, Detail, Fault, NodeId, Protocol, ScheduledFault, Sim, SimDuration, SimTime,
    VecSink, Verb,
};
use hasim_topologies::TopologySpec;
use std::cell::RefCell;
use std::rc::Rc;

/// Node 0 pings every other node each 10ms; the others only receive.
struct Pinger;

#[derive(Clone, Debug)]
struct Ping;

#[derive(Clone, Copy, Debug)]
struct Tick;

impl Describe for Ping {
    fn describe(&self, d: &mut Detail<'_>) {
        d.name("ping");
    }
}
impl Describe for Tick {
    fn describe(&self, d: &mut Detail<'_>) {
        d.name("tick");
    }
}

impl Protocol for Pinger {
    type Msg = Ping;
    type Timer = Tick;
    type State = ();
    type Durable = ();
    type View = ();
    type Observation = ();

    fn start(&self, ctx: &mut impl Ctx<Self>, _: &()) {
        if ctx.id() == NodeId(0) {
            ctx.set_timer(SimDuration::ZERO, Tick);
        }
    }

    fn on_message(&self, _: &mut impl Ctx<Self>, _: &mut (), _: NodeId, _: Ping) {}

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, _: &mut (), _: Tick) {
        for n in 1..ctx.node_count() {
            ctx.send(NodeId(n), Ping);
        }
        ctx.set_timer(SimDuration::from_millis(10), Tick);
    }

    fn view(&self, _: &()) {}
}

#[test]
fn the_engine_routes_over_a_star_and_its_link_faults_reach_it() {
    let spec: TopologySpec =
        toml::from_str("kind = \"star\"\nlatency = { dist = \"constant\", value = \"1ms\" }")
            .unwrap();
    let topology = spec.build_spread(3).unwrap();
    let sink = Rc::new(RefCell::new(VecSink(Vec::new())));
    let mut sim = Sim::new(Pinger, 3, 1);
    let at = |ms: u64| SimTime::from_nanos(ms * 1_000_000);
    sim.paths(topology)
        .horizon(at(300))
        .trace_sink(sink.clone())
        .faults([
            // a == b: host 2's access link to the hub.
            ScheduledFault {
                at: at(100),
                fault: Fault::LinkDown {
                    a: NodeId(2),
                    b: NodeId(2),
                },
            },
            ScheduledFault {
                at: at(200),
                fault: Fault::LinkUp {
                    a: NodeId(2),
                    b: NodeId(2),
                },
            },
        ])
        .unwrap();
    sim.run();
    let records = &sink.borrow().0;
    let delivered = |node: u32| -> Vec<u64> {
        records
            .iter()
            .filter(|r| r.verb == Verb::Deliver && r.node == Some(NodeId(node)))
            .map(|r| r.time.as_nanos() / 1_000_000)
            .collect()
    };
    // Two 1ms links: host, hub, host.
    assert_eq!(delivered(1)[..3], [2, 12, 22]);
    // Host 2 hears nothing sent while its access link is down, then hears again.
    let to_2 = delivered(2);
    assert!(to_2.iter().all(|&t| !(101..202).contains(&t)), "{to_2:?}");
    assert!(to_2.contains(&92) && to_2.contains(&202));
    let no_route = records
        .iter()
        .filter(|r| r.verb == Verb::Drop && r.detail.contains("reason=no_route"))
        .count();
    assert_eq!(no_route, 10);
}
