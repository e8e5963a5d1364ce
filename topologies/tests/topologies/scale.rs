//! Scale: 10,000 hosts in 3 regions × 3 zones × 12 racks build, answer paths between
//! every host and a sample of targets, and the route cache stays per rack — bounded
//! by the core (racks and zone switches), never by the number of hosts squared.
//! Wall time and cache size are printed (`--nocapture`), never asserted.

use hasim_sim::{NodeId, Paths, Seed};
use hasim_topologies::{Level, Topology, TopologySpec};

const HOSTS: u32 = 10_000;

fn spec() -> TopologySpec {
    toml::from_str(
        r#"
        kind = "zones"
        regions = [
            { name = "eu", zones = ["eu-a", "eu-b", "eu-c"] },
            { name = "us", zones = ["us-a", "us-b", "us-c"] },
            { name = "ap", zones = ["ap-a", "ap-b", "ap-c"] },
        ]
        racks = 12
        host_latency = { dist = "uniform", min = "20us", max = "80us" }
        inter_zone_latency = { dist = "normal", mean = "1ms", sd = "100us" }
        inter_region_latency = { dist = "lognormal", median = "60ms", sigma = 0.2 }
        "#,
    )
    .unwrap()
}

#[test]
#[allow(clippy::disallowed_methods)] // wall time for the printout only; no run is timed
fn ten_thousand_hosts_without_an_n_squared_table() {
    let started = std::time::Instant::now();
    let mut t: Topology = spec().build_spread(HOSTS as usize).unwrap();
    let built = started.elapsed();
    let (racks, zones) = (9 * 12, 9);
    assert_eq!(t.host_count(), HOSTS as usize);
    assert_eq!(t.switch_count(), racks + zones);
    // Links: one per host, one per rack, and the 9-zone mesh.
    assert_eq!(t.link_count(), HOSTS as usize + racks + 9 * 8 / 2);
    // Hosts are leaves: routing runs over the 117 switches only.
    assert_eq!(t.core_size(), racks + zones);

    let mut rng = Seed(1).stream("network");
    let mut delivered = 0u64;
    for s in 0..HOSTS {
        for k in 0..10 {
            let target = NodeId((s * 7919 + k * 997) % HOSTS);
            delivered += u64::from(t.transit(NodeId(s), target, &mut rng).is_some());
        }
    }
    let routed = started.elapsed() - built;
    assert_eq!(delivered, u64::from(HOSTS) * 10);
    // One tree per source rack, each over the core: at most 108 x 117 entries, where
    // a per-host table would be 10^8.
    assert_eq!(t.cached_sources(), racks);
    assert_eq!(t.cached_entries(), racks * (racks + zones));
    eprintln!(
        "10,000-host zones topology: built in {built:?}; 100,000 transits in {routed:?}; \
         route cache {} trees, {} entries (~{} KiB)",
        t.cached_sources(),
        t.cached_entries(),
        t.cached_entries() * 16 / 1024
    );

    // Structure still answers partitions, and a zone-link failure reroutes at scale.
    assert_eq!(t.partition_by(Level::Zone).len(), zones);
    assert_eq!(t.partition_by(Level::Region)[0].len(), 3334);
    let before = t.route(NodeId(0), NodeId(1)).unwrap();
    t.set_switch_link("eu-a", "eu-b", false).unwrap();
    assert_eq!(t.cached_sources(), 0);
    let after = t.route(NodeId(0), NodeId(1)).unwrap();
    assert_eq!((before.hops(), after.hops()), (5, 6));
}
