//! Each builder makes the graph it documents: counts of hosts, switches and links,
//! switch names, and where hosts are placed.

use hasim_sim::{Distribution, NodeId, SimDuration};
use hasim_topologies::{
    Endpoint, LinkSpec, Location, Topology, TopologySpec, TreeSpec, Vertex, ZonesSpec,
};

fn ms(n: u64) -> Distribution {
    Distribution::constant(SimDuration::from_millis(n))
}

fn link() -> LinkSpec {
    LinkSpec {
        latency: ms(1),
        loss: 0.0,
    }
}

#[test]
fn mesh_joins_every_pair() {
    let t = Topology::mesh(5, &link());
    assert_eq!(
        (t.host_count(), t.switch_count(), t.link_count()),
        (5, 0, 10)
    );
    assert!(t.link(&Endpoint::Host(1), &Endpoint::Host(4)).is_some());
    assert_eq!(
        t.graph().node_weight(0.into()),
        Some(&Vertex::Host(NodeId(0)))
    );
}

#[test]
fn star_hangs_every_host_off_the_hub() {
    let mut t = Topology::star(4, &link());
    assert_eq!(
        (t.host_count(), t.switch_count(), t.link_count()),
        (4, 1, 4)
    );
    assert_eq!(t.switches().collect::<Vec<_>>(), ["hub"]);
    // Hosts are leaves: routing's core is the hub alone.
    assert_eq!(t.core_size(), 1);
}

#[test]
fn ring_closes_from_three_hosts() {
    assert_eq!(Topology::ring(1, &link()).link_count(), 0);
    assert_eq!(Topology::ring(2, &link()).link_count(), 1);
    let t = Topology::ring(6, &link());
    assert_eq!(t.link_count(), 6);
    assert!(t.link(&Endpoint::Host(5), &Endpoint::Host(0)).is_some());
}

#[test]
fn tree_has_fanout_to_the_power_of_depth_switches() {
    let spec = TreeSpec {
        fanout: 3,
        depth: 3,
        ..TreeSpec::default()
    };
    let t = Topology::tree(10, &spec).unwrap();
    // 1 + 3 + 9 switches; 12 switch links and 10 access links.
    assert_eq!((t.switch_count(), t.link_count()), (13, 22));
    // Hosts go round the 9 bottom switches; host 9 wraps to the first.
    let rack = |h: u32| {
        t.location(NodeId(h))
            .unwrap()
            .rack
            .as_deref()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        (rack(0), rack(1), rack(8), rack(9)),
        (
            "root.0.0".into(),
            "root.0.1".into(),
            "root.2.2".into(),
            "root.0.0".into()
        )
    );
    assert!(t
        .link(&Endpoint::Host(9), &Endpoint::Switch("root.0.0".into()))
        .is_some());
}

#[test]
fn tree_of_depth_one_is_a_star() {
    let spec = TreeSpec {
        fanout: 7,
        depth: 1,
        ..TreeSpec::default()
    };
    let t = Topology::tree(3, &spec).unwrap();
    assert_eq!((t.switch_count(), t.link_count()), (1, 3));
}

#[test]
fn zones_build_racks_zone_switches_and_a_zone_mesh() {
    let spec = ZonesSpec {
        regions: vec![
            hasim_topologies::RegionSpec {
                name: "eu".into(),
                zones: vec!["a".into(), "b".into()],
            },
            hasim_topologies::RegionSpec {
                name: "us".into(),
                zones: vec!["c".into()],
            },
        ],
        racks: 2,
        inter_zone_latency: ms(2),
        inter_region_latency: ms(50),
        ..ZonesSpec::default()
    };
    let t = Topology::zones(12, &spec).unwrap();
    // 3 zone switches + 6 racks; 6 rack uplinks + 3 zone links + 12 access links.
    assert_eq!((t.switch_count(), t.link_count()), (9, 21));
    let zone = |a: &str, b: &str| {
        t.link(&Endpoint::Switch(a.into()), &Endpoint::Switch(b.into()))
            .unwrap()
            .mean_nanos()
    };
    assert_eq!(zone("a", "b"), 2_000_000);
    assert_eq!(zone("a", "c"), 50_000_000);
    // Spread: zones round-robin, then racks round-robin within each zone.
    let loc = |h: u32| t.location(NodeId(h)).unwrap().clone();
    let expect = |region: &str, zone: &str, rack: &str| Location {
        region: Some(region.into()),
        zone: Some(zone.into()),
        rack: Some(rack.into()),
    };
    assert_eq!(loc(0), expect("eu", "a", "a/r0"));
    assert_eq!(loc(1), expect("eu", "b", "b/r0"));
    assert_eq!(loc(2), expect("us", "c", "c/r0"));
    assert_eq!(loc(3), expect("eu", "a", "a/r1"));
    assert_eq!(loc(6), expect("eu", "a", "a/r0"));
}

#[test]
fn edges_build_what_the_list_says() {
    let spec: TopologySpec = toml::from_str(
        r#"
        kind = "edges"
        links = [
            { a = 0, b = "left" },
            { a = 1, b = "left", latency = { dist = "constant", value = "5ms" } },
            { a = "left", b = "right", loss = "1%" },
            { a = 2, b = "right" },
            { a = 0, b = 2 },
        ]
        "#,
    )
    .unwrap();
    let t = spec.build_spread(3).unwrap();
    assert_eq!(
        (t.host_count(), t.switch_count(), t.link_count()),
        (3, 2, 5)
    );
    let l = t
        .link(&Endpoint::Host(1), &Endpoint::Switch("left".into()))
        .unwrap();
    assert_eq!(l.mean_nanos(), 5_000_000);
    let core = t
        .link(
            &Endpoint::Switch("right".into()),
            &Endpoint::Switch("left".into()),
        )
        .unwrap();
    assert_eq!(core.loss(), 0.01);
}

#[test]
fn programmatic_construction_rejects_duplicates_and_unknowns() {
    let mut t = Topology::new();
    let h = t.add_host();
    t.add_switch("s").unwrap();
    assert!(t.add_switch("s").is_err());
    let (host, s) = (Endpoint::Host(h.0), Endpoint::Switch("s".into()));
    t.add_link(&host, &s, ms(1), 0.0).unwrap();
    let err = t.add_link(&s, &host, ms(1), 0.0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "topology.links: switch \"s\" and host 0 are joined twice"
    );
    let err = t
        .add_link(&host, &Endpoint::Host(9), ms(1), 0.0)
        .unwrap_err();
    assert_eq!(err.to_string(), "the topology has no host 9");
}
