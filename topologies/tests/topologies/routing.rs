//! Routing: path latency is the sum of hop latencies, loss compounds, a downed link
//! reroutes or disconnects and a restored one brings the route back, and the cache
//! is dropped on every change.

use hasim_sim::{Distribution, NodeId, Paths, Seed, SimDuration};
use hasim_topologies::{Endpoint, LinkSpec, Topology, TopologySpec, ZonesSpec};

fn us(n: u64) -> Distribution {
    Distribution::constant(SimDuration::from_micros(n))
}

fn sw(name: &str) -> Endpoint {
    Endpoint::Switch(name.into())
}

/// Hosts 0 and 1 behind switches `s0` and `s1`, joined two ways: directly (10us) and
/// through `detour` (30us + 40us).
fn diamond() -> Topology {
    let mut t = Topology::new();
    t.add_host();
    t.add_host();
    for s in ["s0", "s1", "detour"] {
        t.add_switch(s).unwrap();
    }
    t.add_link(&Endpoint::Host(0), &sw("s0"), us(1), 0.1)
        .unwrap();
    t.add_link(&Endpoint::Host(1), &sw("s1"), us(2), 0.2)
        .unwrap();
    t.add_link(&sw("s0"), &sw("s1"), us(10), 0.0).unwrap();
    t.add_link(&sw("s0"), &sw("detour"), us(30), 0.0).unwrap();
    t.add_link(&sw("detour"), &sw("s1"), us(40), 0.5).unwrap();
    t
}

#[test]
fn constant_links_give_the_sum_of_hop_latencies() {
    let mut t = diamond();
    let mut rng = Seed(1).stream("network");
    let transit = t.transit(NodeId(0), NodeId(1), &mut rng).unwrap();
    assert_eq!(transit.latency, SimDuration::from_micros(1 + 10 + 2));
    let route = t.route(NodeId(0), NodeId(1)).unwrap();
    assert_eq!(
        route.elements,
        [Endpoint::Host(0), sw("s0"), sw("s1"), Endpoint::Host(1)]
    );
    assert_eq!(route.mean_latency, SimDuration::from_micros(13));
    // The reverse direction takes the same links.
    let back = t.transit(NodeId(1), NodeId(0), &mut rng).unwrap();
    assert_eq!(back.latency, transit.latency);
}

#[test]
fn loss_compounds_over_hops() {
    let mut t = diamond();
    let mut rng = Seed(1).stream("network");
    let loss = t.transit(NodeId(0), NodeId(1), &mut rng).unwrap().loss;
    let expected = 1.0 - (1.0 - 0.1) * (1.0 - 0.2);
    assert!((loss - expected).abs() < 1e-12, "{loss} vs {expected}");
}

#[test]
fn a_downed_link_reroutes_and_a_restored_one_returns() {
    let mut t = diamond();
    let mut rng = Seed(1).stream("network");
    t.set_switch_link("s0", "s1", false).unwrap();
    let transit = t.transit(NodeId(0), NodeId(1), &mut rng).unwrap();
    assert_eq!(transit.latency, SimDuration::from_micros(1 + 30 + 40 + 2));
    let expected = 1.0 - 0.9 * 0.8 * 0.5;
    assert!((transit.loss - expected).abs() < 1e-12);
    assert_eq!(t.route(NodeId(0), NodeId(1)).unwrap().hops(), 4);
    t.set_switch_link("s0", "s1", true).unwrap();
    assert_eq!(
        t.route(NodeId(0), NodeId(1)).unwrap().mean_latency,
        SimDuration::from_micros(13)
    );
}

#[test]
fn no_route_when_disconnected() {
    let mut t = diamond();
    let mut rng = Seed(1).stream("network");
    t.set_switch_link("s0", "s1", false).unwrap();
    t.set_switch("detour", false).unwrap();
    assert_eq!(t.transit(NodeId(0), NodeId(1), &mut rng), None);
    t.set_switch("detour", true).unwrap();
    assert!(t.transit(NodeId(0), NodeId(1), &mut rng).is_some());
    // A host's own switch failing cuts it off.
    t.set_switch("s0", false).unwrap();
    assert_eq!(t.route(NodeId(1), NodeId(0)), None);
    t.restore();
    assert!(t.route(NodeId(1), NodeId(0)).is_some());
}

#[test]
fn unknown_switches_and_links_are_errors() {
    let mut t = diamond();
    assert_eq!(
        t.set_switch("nope", false).unwrap_err().to_string(),
        "the topology has no switch \"nope\""
    );
    let err = t.set_switch_link("s1", "nope", false).unwrap_err();
    assert_eq!(err.to_string(), "the topology has no switch \"nope\"");
    let err = t
        .set_edge(&Endpoint::Host(0), &sw("s1"), false)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the topology has no link between host 0 and switch \"s1\""
    );
}

#[test]
fn engine_set_link_takes_host_links_and_access_links() {
    let ring = LinkSpec {
        latency: us(10),
        loss: 0.0,
    };
    let mut t = Topology::ring(6, &ring);
    let mut rng = Seed(1).stream("network");
    assert_eq!(
        t.transit(NodeId(0), NodeId(1), &mut rng).unwrap().latency,
        SimDuration::from_micros(10)
    );
    // The direct link goes down: the other way round the ring is 5 hops.
    assert!(t.set_link(NodeId(0), NodeId(1), false));
    assert_eq!(
        t.transit(NodeId(0), NodeId(1), &mut rng).unwrap().latency,
        SimDuration::from_micros(50)
    );
    // Cutting 0-5 too leaves host 0 alone.
    assert!(t.set_link(NodeId(5), NodeId(0), false));
    assert_eq!(t.transit(NodeId(0), NodeId(3), &mut rng), None);
    assert!(t.set_link(NodeId(1), NodeId(0), true));
    assert!(t.transit(NodeId(0), NodeId(3), &mut rng).is_some());
    // No direct link between 0 and 3: the engine falls back to a cut.
    assert!(!t.set_link(NodeId(0), NodeId(3), false));

    // In a star, set_link(a, a) is host a's access link.
    let mut star = Topology::star(3, &ring);
    assert!(star.set_link(NodeId(2), NodeId(2), false));
    assert_eq!(star.transit(NodeId(0), NodeId(2), &mut rng), None);
    assert!(star.transit(NodeId(0), NodeId(1), &mut rng).is_some());
    assert!(star.set_link(NodeId(2), NodeId(2), true));
    assert!(star.transit(NodeId(0), NodeId(2), &mut rng).is_some());
    // Ring hosts have no access links.
    assert!(!t.set_link(NodeId(2), NodeId(2), false));
}

#[test]
fn a_host_reaches_itself_at_no_cost() {
    let mut t = diamond();
    let mut rng = Seed(1).stream("network");
    let transit = t.transit(NodeId(1), NodeId(1), &mut rng).unwrap();
    assert_eq!((transit.latency, transit.loss), (SimDuration::ZERO, 0.0));
    assert_eq!(t.transit(NodeId(0), NodeId(7), &mut rng), None);
}

#[test]
fn the_cache_fills_per_source_and_empties_on_change() {
    let mut t = Topology::zones(
        12,
        &ZonesSpec {
            zones: vec!["a".into(), "b".into(), "c".into()],
            racks: 2,
            ..ZonesSpec::default()
        },
    )
    .unwrap();
    let mut rng = Seed(1).stream("network");
    assert_eq!(t.cached_sources(), 0);
    t.transit(NodeId(0), NodeId(1), &mut rng).unwrap();
    assert_eq!(t.cached_sources(), 1);
    // Host 6 shares host 0's rack, so its routes come from the same tree.
    t.transit(NodeId(6), NodeId(2), &mut rng).unwrap();
    assert_eq!(t.cached_sources(), 1);
    t.transit(NodeId(1), NodeId(0), &mut rng).unwrap();
    assert_eq!(t.cached_sources(), 2);
    // A change that changes nothing keeps the cache; a real change drops it.
    t.set_switch_link("a", "b", true).unwrap();
    assert_eq!(t.cached_sources(), 2);
    t.set_switch_link("a", "b", false).unwrap();
    assert_eq!(t.cached_sources(), 0);
    // Zone a now reaches zone b through zone c: 1ms more.
    let route = t.route(NodeId(0), NodeId(1)).unwrap();
    assert_eq!(route.elements[2..5], [sw("a"), sw("c"), sw("b")]);
    assert_eq!(
        route.mean_latency,
        SimDuration::from_micros(50 + 100 + 2000 + 100 + 50)
    );
}

#[test]
fn the_cache_budget_bounds_memory_without_changing_results() {
    let link = LinkSpec {
        latency: us(10),
        loss: 0.0,
    };
    let mut small = Topology::ring(50, &link);
    small.set_cache_budget(120);
    let mut large = Topology::ring(50, &link);
    let (mut a, mut b) = (Seed(2).stream("network"), Seed(2).stream("network"));
    for s in 0..50 {
        for t in [0, 17, 33] {
            assert_eq!(
                small.transit(NodeId(s), NodeId(t), &mut a),
                large.transit(NodeId(s), NodeId(t), &mut b)
            );
            assert!(small.cached_entries() <= 120);
        }
    }
    assert_eq!(large.cached_sources(), 50);
}

#[test]
fn ties_break_deterministically_on_fewer_hops_then_build_order() {
    // Square ring of 4: 0 to 2 is two hops either way; the route is the same every time.
    let link = LinkSpec {
        latency: us(10),
        loss: 0.0,
    };
    let routes: Vec<_> = (0..3)
        .map(|_| {
            Topology::ring(4, &link)
                .route(NodeId(0), NodeId(2))
                .unwrap()
        })
        .collect();
    assert!(routes.windows(2).all(|w| w[0] == w[1]));
    // A zero-latency detour never beats the direct link on hops.
    let mut t = Topology::ring(
        3,
        &LinkSpec {
            latency: us(0),
            loss: 0.0,
        },
    );
    assert_eq!(t.route(NodeId(0), NodeId(2)).unwrap().hops(), 1);
}

/// Uniform hops: the mean of sampled path latencies agrees with the sum of the hop
/// means. 20,000 samples of a sum of 4 uniform [0, 2ms] hops (sd ≈ 1.15ms, standard
/// error ≈ 8us); tolerance 40us, five standard errors.
#[test]
fn sampled_latency_agrees_in_mean_with_the_sum_of_hop_means() {
    let spec: TopologySpec = toml::from_str(
        r#"
        kind = "zones"
        zones = ["a", "b"]
        host_latency = { dist = "uniform", min = "0ms", max = "2ms" }
        rack_latency = { dist = "uniform", min = "0ms", max = "2ms" }
        inter_zone_latency = { dist = "constant", value = "0ms" }
        "#,
    )
    .unwrap();
    let mut t = spec.build_spread(2).unwrap();
    let expected = t
        .route(NodeId(0), NodeId(1))
        .unwrap()
        .mean_latency
        .as_secs_f64();
    assert!((expected - 0.004).abs() < 1e-12);
    let mut rng = Seed(7).stream("network");
    let n = 20_000;
    let total: f64 = (0..n)
        .map(|_| {
            t.transit(NodeId(0), NodeId(1), &mut rng)
                .unwrap()
                .latency
                .as_secs_f64()
        })
        .sum();
    let mean = total / n as f64;
    assert!((mean - expected).abs() < 40e-6, "mean {mean} vs {expected}");
}

#[test]
fn same_seed_same_samples() {
    let spec: TopologySpec = toml::from_str(
        "kind = \"star\"\nlatency = { dist = \"lognormal\", median = \"1ms\", sigma = 0.5 }",
    )
    .unwrap();
    let draws = || {
        let mut t = spec.build_spread(4).unwrap();
        let mut rng = Seed(3).stream("network");
        (0..100)
            .map(|i| {
                t.transit(NodeId(i % 4), NodeId((i + 1) % 4), &mut rng)
                    .unwrap()
                    .latency
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(draws(), draws());
}
