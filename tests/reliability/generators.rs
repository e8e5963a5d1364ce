//! The random and swarm generators draw every kind a schedule accepts (issue 15):
//! isolation, one-way cuts, links down, clock drift, disk faults and partitions along
//! the zones, each opt-in (the bundled scenarios' snapshots keep their trace hashes).

use hasim::scenario::Scenario;
use hasim_sim::Fault;

/// The quickstart without its explicit faults, with `faults` appended.
fn with(faults: &str, zones: bool) -> Result<Scenario, String> {
    let mut text = super::quickstart();
    text.truncate(text.find("[[fault]]").expect("quickstart has faults"));
    if zones {
        text = text
            .replace(
                "loss = \"1/1000\"",
                "loss = \"1/1000\"\nzones = [\"a\", \"b\"]",
            )
            .replace("count = 3\n", "count = 3\nzone = \"spread\"\n");
    }
    text.push_str(faults);
    hasim::Registry::builtin()
        .parse(&text, "generators.toml".as_ref())
        .map_err(|e| e.to_string())
}

/// The kinds of faults the scenario's schedules hold over seeds 1..=20.
fn kinds(s: &Scenario) -> Vec<&'static str> {
    let mut out: Vec<&str> = (1..=20)
        .flat_map(|seed| s.schedule(seed))
        .map(|f| f.fault.kind())
        .collect();
    out.sort();
    out.dedup();
    out
}

const LATER: [&str; 10] = [
    "clock_drift",
    "cut",
    "disk_fault",
    "disk_heal",
    "isolate",
    "link_down",
    "link_up",
    "partition",
    "rejoin",
    "uncut",
];

#[test]
fn the_random_generator_draws_every_later_kind() {
    let s = with(
        r#"
[faults.random]
isolate = { every = "10s", lasts = "1s" }
cut = { every = "10s", lasts = "1s", target = "role:server" }
link_down = { every = "10s", lasts = "1s" }
clock_drift = { every = "10s", lasts = "5s", max_ppm = 500 }
disk_fault = { every = "10s", lasts = "5s", lose_unsynced = true, write_delay = "10ms" }
partition = { every = "10s", lasts = "1s", shape = "zones" }
"#,
        true,
    )
    .unwrap();
    let k = kinds(&s);
    for kind in LATER {
        assert!(k.contains(&kind), "no {kind} in {k:?}");
    }
    // The zone partition puts each zone on its own side.
    let zoned = s.schedule(1).into_iter().find_map(|f| match f.fault {
        Fault::Partition { groups } => Some(groups),
        _ => None,
    });
    assert_eq!(zoned.map(|g| g.len()), Some(2));
}

#[test]
fn the_swarm_draws_the_opt_in_kinds_only_when_listed() {
    let kinds_of = |list: &str| {
        let s = with(&format!("\n[faults.swarm]\n{list}\n"), true).unwrap();
        kinds(&s)
    };
    let listed = kinds_of(
        r#"kinds = ["isolate", "cut", "link_down", "clock_drift", "disk_fault", "zone_partition"]"#,
    );
    for kind in LATER {
        assert!(listed.contains(&kind), "no {kind} in {listed:?}");
    }
    let default = kinds_of("");
    for kind in ["isolate", "cut", "link_down", "clock_drift", "disk_fault"] {
        assert!(
            !default.contains(&kind),
            "{kind} drawn by default: {default:?}"
        );
    }
}

#[test]
fn generator_settings_that_cannot_work_are_refused() {
    let cases = [
        (
            "[faults.random]\ndisk_fault = { every = \"10s\", lasts = \"1s\" }",
            "lose_unsynced = true",
        ),
        (
            "[faults.random]\nclock_drift = { every = \"10s\", lasts = \"1s\", max_ppm = 0 }",
            "faults.random.clock_drift.max_ppm",
        ),
        (
            "[faults.random]\npartition = { every = \"10s\", lasts = \"1s\", shape = \"zones\" }",
            "at least two zones",
        ),
        (
            "[faults.swarm]\nkinds = [\"zone_partition\"]",
            "faults.swarm.kinds",
        ),
    ];
    for (faults, expected) in cases {
        let e = with(&format!("\n{faults}\n"), false).expect_err(faults);
        assert!(e.contains(expected), "{faults}: {e}");
    }
}
