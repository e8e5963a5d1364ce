//! Partitions by structure: the host groups of each region, zone and rack, in
//! declaration order, and "one place from the rest".

use hasim_sim::NodeId;
use hasim_topologies::{Level, Scope, TopologySpec};

fn ids(list: &[u32]) -> Vec<NodeId> {
    list.iter().map(|&i| NodeId(i)).collect()
}

fn zones() -> hasim_topologies::Topology {
    let spec: TopologySpec = toml::from_str(
        r#"
        kind = "zones"
        regions = [{ name = "eu", zones = ["a", "b"] }, { name = "us", zones = ["c"] }]
        racks = 2
        "#,
    )
    .unwrap();
    spec.build_spread(7).unwrap()
}

#[test]
fn groups_per_level_in_declaration_order() {
    let t = zones();
    assert_eq!(t.names(Level::Region), ["eu", "us"]);
    assert_eq!(t.names(Level::Zone), ["a", "b", "c"]);
    assert_eq!(
        t.names(Level::Rack),
        ["a/r0", "a/r1", "b/r0", "b/r1", "c/r0", "c/r1"]
    );
    let zones = t.groups(Level::Zone);
    assert_eq!(zones[0], ("a".to_string(), ids(&[0, 3, 6])));
    assert_eq!(zones[2], ("c".to_string(), ids(&[2, 5])));
    assert_eq!(
        t.partition_by(Level::Region),
        [ids(&[0, 1, 3, 4, 6]), ids(&[2, 5])]
    );
    // Rack b/r1 holds host 4 only; c/r1 holds host 5.
    assert_eq!(t.partition_by(Level::Rack).len(), 6);
}

#[test]
fn one_place_from_the_rest() {
    let t = zones();
    let zone_a: Scope = "zone:a".parse().unwrap();
    assert_eq!(t.hosts_in(&zone_a), Some(ids(&[0, 3, 6])));
    assert_eq!(
        t.split_off(&zone_a),
        Some(vec![ids(&[0, 3, 6]), ids(&[1, 2, 4, 5])])
    );
    assert_eq!(t.split_off(&"zone:x".parse().unwrap()), None);
    assert_eq!(t.hosts_in(&"rack:c/r1".parse().unwrap()), Some(ids(&[5])));
}

#[test]
fn kinds_without_levels_have_no_groups() {
    let spec: TopologySpec = toml::from_str("kind = \"mesh\"").unwrap();
    let t = spec.build_spread(4).unwrap();
    assert!(t.groups(Level::Zone).is_empty());
    assert!(t.partition_by(Level::Zone).is_empty());
    let tree: TopologySpec = toml::from_str("kind = \"tree\"\nfanout = 2").unwrap();
    let t = tree.build_spread(4).unwrap();
    assert_eq!(t.partition_by(Level::Rack), [ids(&[0, 2]), ids(&[1, 3])]);
}
