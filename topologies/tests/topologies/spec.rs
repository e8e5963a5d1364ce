//! `[topology]` tables parsed from TOML: each kind with its defaults, rejection of
//! unknown fields and bad values with their messages, and placement of hosts.

use hasim_sim::{Distribution, SimDuration};
use hasim_topologies::{Site, TopologySpec, TreeSpec};

fn parse(text: &str) -> Result<TopologySpec, String> {
    toml::from_str(text).map_err(|e| e.to_string())
}

/// Parses and validates; the error of either step as text.
fn check(text: &str) -> Result<TopologySpec, String> {
    let spec = parse(text)?;
    spec.validate().map_err(|e| e.to_string())?;
    Ok(spec)
}

fn ms(n: u64) -> Distribution {
    Distribution::constant(SimDuration::from_millis(n))
}

#[test]
fn every_kind_parses_with_its_defaults() {
    for kind in ["mesh", "star", "ring"] {
        let spec = check(&format!("kind = \"{kind}\"")).unwrap();
        assert_eq!(spec.kind(), kind);
        assert_eq!(spec.fixed_host_count(), None);
    }
    let TopologySpec::Tree(tree) = check("kind = \"tree\"").unwrap() else {
        panic!()
    };
    assert_eq!(tree, TreeSpec::default());
    assert_eq!((tree.fanout, tree.depth, tree.latency), (4, 2, ms(1)));
    let TopologySpec::Zones(z) = check("kind = \"zones\"\nzones = [\"a\"]").unwrap() else {
        panic!()
    };
    assert_eq!(z.racks, 1);
    assert_eq!(
        z.host_latency,
        Distribution::constant(SimDuration::from_micros(50))
    );
    assert_eq!(
        z.rack_latency,
        Distribution::constant(SimDuration::from_micros(100))
    );
    assert_eq!(
        (z.inter_zone_latency, z.inter_region_latency),
        (ms(1), ms(40))
    );
    let edges =
        check("kind = \"edges\"\nlinks = [{ a = 0, b = \"s\" }, { a = 1, b = \"s\" }]").unwrap();
    assert_eq!(edges.fixed_host_count(), Some(2));
}

#[test]
fn the_design_sketch_parses() {
    let spec = check(
        r#"
        kind = "zones"
        zones = ["a", "b", "c"]
        inter_zone_latency = { dist = "normal", mean = "20ms", sd = "3ms" }
        "#,
    )
    .unwrap();
    assert_eq!(spec.build_spread(3).unwrap().host_count(), 3);
}

#[test]
fn loss_is_a_number_a_ratio_or_a_percentage() {
    for (text, loss) in [
        ("0.25", 0.25),
        ("0", 0.0),
        ("1", 1.0),
        ("\"1/4\"", 0.25),
        ("\"25%\"", 0.25),
    ] {
        let TopologySpec::Mesh(l) = check(&format!("kind = \"mesh\"\nloss = {text}")).unwrap()
        else {
            panic!()
        };
        assert_eq!(l.loss, loss, "{text}");
    }
}

#[test]
fn unknown_kinds_and_fields_are_rejected() {
    let err = parse("kind = \"hypercube\"").unwrap_err();
    assert!(
        err.contains("unknown variant `hypercube`") && err.contains("zones"),
        "{err}"
    );
    let err =
        parse("kind = \"mesh\"\nlatncy = { dist = \"constant\", value = \"1ms\" }").unwrap_err();
    assert!(err.contains("unknown field `latncy`"), "{err}");
    let err = parse("kind = \"zones\"\nzones = [\"a\"]\nrack = 2").unwrap_err();
    assert!(err.contains("unknown field `rack`"), "{err}");
    let err = parse("kind = \"edges\"\nlinks = [{ a = 0, b = 1, weight = 3 }]").unwrap_err();
    assert!(err.contains("unknown field `weight`"), "{err}");
    let err = parse("kind = \"zones\"\nregions = [{ name = \"eu\", zone = [\"a\"] }]").unwrap_err();
    assert!(err.contains("unknown field `zone`"), "{err}");
    let err = parse("zones = [\"a\"]").unwrap_err();
    assert!(err.contains("kind"), "{err}");
}

#[test]
fn bad_values_are_rejected_with_their_field() {
    let cases = [
        ("kind = \"mesh\"\nloss = 1.5", "topology.latency: loss 1.5 is not a probability; expected a value in [0, 1] such as 0.001, \"1/1000\" or \"0.1%\""),
        ("kind = \"ring\"\nloss = \"lots\"", "\"lots\" is not a probability"),
        ("kind = \"star\"\nlatency = { dist = \"uniform\", min = \"5ms\", max = \"1ms\" }", "topology.latency: uniform: min must not exceed max"),
        ("kind = \"star\"\nlatency = { dist = \"constant\", value = \"fast\" }", "a unit"),
        ("kind = \"mesh\"\nlatency = { dist = \"pareto\", scale = \"1ms\", shape = 0.9 }", "topology.latency: the distribution has no finite mean"),
        ("kind = \"tree\"\nfanout = 0", "topology.fanout: 0 is out of range; expected at least 1"),
        ("kind = \"tree\"\ndepth = 0", "topology.depth: 0 is out of range; expected at least 1"),
        ("kind = \"tree\"\nfanout = 10\ndepth = 7", "fanout^(depth-1) is at most 100000"),
        ("kind = \"zones\"", "topology kind \"zones\" needs `zones = [...]`"),
        ("kind = \"zones\"\nzones = [\"a\"]\nregions = [{ name = \"r\", zones = [\"b\"] }]", "either `zones` (one region) or `regions`, not both"),
        ("kind = \"zones\"\nzones = [\"a\", \"a\"]", "topology: zone \"a\" is declared more than once"),
        ("kind = \"zones\"\nregions = [{ name = \"x\", zones = [\"a\"] }, { name = \"y\", zones = [\"a\"] }]", "zone \"a\" is declared more than once"),
        ("kind = \"zones\"\nregions = [{ name = \"x\", zones = [] }]", "region \"x\" lists no zones"),
        ("kind = \"zones\"\nzones = [\"a/b\"]", "zone name \"a/b\" must be non-empty and must not contain '/' or ':'"),
        ("kind = \"zones\"\nzones = [\"a\"]\nracks = 0", "topology.racks: 0 is out of range; expected 1 to 10000 racks per zone"),
        ("kind = \"zones\"\nzones = [\"a\"]\ninter_region_loss = -0.1", "topology.inter_region_latency: loss -0.1"),
        ("kind = \"edges\"\nlinks = []", "topology kind \"edges\" needs a non-empty `links` list"),
        ("kind = \"edges\"\nlinks = [{ a = \"s\", b = \"s\" }]", "topology.links[0]: links switch \"s\" to itself"),
        ("kind = \"edges\"\nlinks = [{ a = 0, b = 1 }, { a = 1, b = 0 }]", "topology.links: host 1 and host 0 are joined twice"),
        ("kind = \"edges\"\nlinks = [{ a = 0, b = 2 }]", "topology.links: host 1 has no link"),
        ("kind = \"edges\"\nlinks = [{ a = 0, b = 1, loss = 2 }]", "topology.links[0]: loss 2 is not a probability"),
        ("kind = \"edges\"\nlinks = [{ a = 0, b = -1 }]", "untagged enum Endpoint"),
    ];
    for (text, expected) in cases {
        let err = check(text).unwrap_err();
        assert!(
            err.contains(expected),
            "for {text:?}:\n  got {err}\n  expected {expected}"
        );
    }
}

#[test]
fn placement_follows_sites() {
    let spec = check(
        r#"
        kind = "zones"
        regions = [{ name = "eu", zones = ["a", "b"] }, { name = "us", zones = ["c"] }]
        racks = 2
        "#,
    )
    .unwrap();
    let sites: Vec<Site> = [
        "zone:c",
        "zone:c",
        "region:eu",
        "region:eu",
        "rack:b/r1",
        "spread",
        "spread",
        "spread",
    ]
    .iter()
    .map(|s| s.parse().unwrap())
    .collect();
    let placement = spec.place(&sites).unwrap();
    let racks: Vec<&str> = placement
        .locations()
        .iter()
        .map(|l| l.rack.as_deref().unwrap())
        .collect();
    // zone:c fills c's racks in turn; region:eu alternates a and b; spread goes a, b, c
    // and shares the per-zone rack counters with zone and region pins (a rack pin
    // takes no turn).
    assert_eq!(
        racks,
        ["c/r0", "c/r1", "a/r0", "b/r0", "b/r1", "a/r1", "b/r1", "c/r0"]
    );
    let topology = spec.build(&placement).unwrap();
    assert_eq!(
        topology
            .location(hasim_sim::NodeId(4))
            .unwrap()
            .zone
            .as_deref(),
        Some("b")
    );
}

#[test]
fn placement_errors_name_the_site_and_what_exists() {
    let zones = check("kind = \"zones\"\nzones = [\"a\", \"b\"]").unwrap();
    let err = zones
        .place(&["zone:x".parse().unwrap()])
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "unknown site \"zone:x\"; the topology declares: zone:a, zone:b"
    );
    let err = zones
        .place(&["region:eu".parse().unwrap()])
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "unknown site \"region:eu\"; the topology declares: no regions"
    );
    let mesh = check("kind = \"mesh\"").unwrap();
    let err = mesh
        .place(&["zone:a".parse().unwrap()])
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "site \"zone:a\" needs a topology with that level; kind \"mesh\" has none"
    );
    let err = mesh.place_spread(1001).unwrap_err().to_string();
    assert_eq!(
        err,
        "topology kind \"mesh\" supports at most 1000 hosts, the scenario has 1001"
    );
    let tree = check("kind = \"tree\"\nfanout = 2\ndepth = 2").unwrap();
    assert!(tree.place(&["rack:root.1".parse().unwrap()]).is_ok());
    assert!(tree.place(&["zone:a".parse().unwrap()]).is_err());
    let edges = check("kind = \"edges\"\nlinks = [{ a = 0, b = 1 }]").unwrap();
    let err = edges.place_spread(3).unwrap_err().to_string();
    assert_eq!(
        err,
        "the topology defines 2 hosts but the scenario has 3 nodes"
    );
}

#[test]
fn specs_round_trip_through_toml() {
    let spec = check(
        r#"
        kind = "edges"
        loss = 0.01
        links = [{ a = 0, b = "s", latency = { dist = "constant", value = "2ms" } }, { a = 1, b = "s", loss = 0.5 }]
        "#,
    )
    .unwrap();
    let text = toml::to_string(&spec).unwrap();
    assert_eq!(check(&text).unwrap(), spec);
}
