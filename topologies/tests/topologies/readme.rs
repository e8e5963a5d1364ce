//! Every TOML example in the guide's Topologies chapter (`docs/src/topologies.md`)
//! parses, validates and builds, so the documentation cannot drift from the spec.

use hasim_topologies::TopologySpec;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    topology: TopologySpec,
}

#[test]
fn readme_topology_examples_build() {
    let chapter = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/src/topologies.md"
    ))
    .unwrap();
    assert!(
        chapter.starts_with("# Topologies"),
        "the Topologies chapter"
    );
    let examples: Vec<&str> = chapter
        .split("```toml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert_eq!(examples.len(), 6, "one example per kind");
    for example in examples {
        let spec = toml::from_str::<Scenario>(example)
            .unwrap_or_else(|e| panic!("{e}\n{example}"))
            .topology;
        let hosts = spec.fixed_host_count().unwrap_or(12);
        let topology = spec
            .build_spread(hosts)
            .unwrap_or_else(|e| panic!("{e}\n{example}"));
        assert_eq!(topology.host_count(), hosts);
    }
}
