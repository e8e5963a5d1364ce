//! `[network] zones`: validation is linear and the count is capped, so 100,000 zones
//! are refused at once instead of taking seconds (and then a matrix of 10¹⁰ paths).

use hasim::scenario::network::ZONES_MAX;
use hasim::scenario::Scenario;
use std::time::{Duration, Instant};

/// The quickstart with `zones` declared and the servers spread over them.
fn with_zones(zones: usize, servers: u32) -> String {
    let list: Vec<String> = (0..zones).map(|i| format!("\"z{i}\"")).collect();
    super::quickstart()
        .replace(
            "loss = \"1/1000\"",
            &format!("loss = \"1/1000\"\nzones = [{}]", list.join(", ")),
        )
        .replace(
            "role = \"server\"\ncount = 3",
            &format!("role = \"server\"\ncount = {servers}\nzone = \"spread\""),
        )
}

fn parse(text: &str) -> Result<Scenario, hasim::scenario::ScenarioError> {
    hasim::Registry::builtin().parse(text, "zones.toml".as_ref())
}

#[test]
#[allow(clippy::disallowed_methods)] // wall time is what this test bounds
fn a_hundred_thousand_zones_are_refused_at_once() {
    let text = with_zones(100_000, 3);
    let start = Instant::now();
    let e = parse(&text).expect_err("100,000 zones are over the cap");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    let e = e.to_string();
    assert!(
        e.contains("network.zones") && e.contains("at most 1000 zones"),
        "{e}"
    );
}

#[test]
fn the_cap_is_exact() {
    let s = parse(&with_zones(ZONES_MAX, 3000)).expect("1000 zones are allowed");
    assert_eq!(s.network.zones.len(), ZONES_MAX);
    // Spread places server k in zone k mod 1000, and the index matches the name.
    let z = s.network.zone_of[1500] as usize;
    assert_eq!(s.network.zones[z], "z500");
    assert!(parse(&with_zones(ZONES_MAX + 1, 3)).is_err());
}

#[test]
fn zones_named_only_by_groups_count_too() {
    // 1001 groups of one server, each in a zone of its own, none declared.
    let mut text = super::quickstart();
    for i in 0..=ZONES_MAX {
        text.push_str(&format!(
            "\n[[group]]\nrole = \"server\"\ncount = 1\nprotocol = \"ping\"\nzone = \"g{i}\"\n"
        ));
    }
    let e = parse(&text)
        .expect_err("1001 zones named by groups")
        .to_string();
    assert!(
        e.contains("group[1002].zone") && e.contains("at most 1000 zones"),
        "{e}"
    );
}
