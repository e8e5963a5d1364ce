//! `[params.ROLE]`: one parameters table for every group of a role. Moving a group's
//! params into its role's table changes nothing about the run; a group's own keys win
//! over the role's; a role table for no group, and a wrong value in one, are located
//! errors.

use crate::support::run;
use std::path::Path;

const RAFT: &str = "scenarios/replication_raft_faults.toml";
const REPLICA: &str = r#"params = { election_timeout_min = "150ms", election_timeout_max = "300ms", heartbeat = "50ms" }"#;
const CLIENT: &str = r#"params = { keys = 4, read_fraction = 0.3, interval = "20ms", poisson = true, timeout = "500ms" }"#;

fn bundled() -> String {
    let text = std::fs::read_to_string(RAFT).expect("bundled scenario");
    assert!(
        text.contains(REPLICA) && text.contains(CLIENT),
        "the bundled file changed"
    );
    text
}

/// The bundled Raft scenario with its replicas in two groups and every param written
/// in role tables instead of on the groups.
fn in_role_tables() -> String {
    let text = bundled()
        .replace(
            &format!("count = 5\nprotocol = \"raft\"\n{REPLICA}"),
            "count = 3\nprotocol = \"raft\"\n\n[[group]]\nrole = \"replica\"\ncount = 2\nprotocol = \"raft\"",
        )
        .replace(&format!("\n{CLIENT}"), "");
    let tables = format!(
        "[params.replica]\n{}\n\n[params.client]\n{}\n\n",
        table_body(REPLICA),
        table_body(CLIENT)
    );
    text.replacen("[[group]]", &format!("{tables}[[group]]"), 1)
}

/// `params = { a = 1, b = 2 }` as the lines of a table.
fn table_body(inline: &str) -> String {
    let inner = inline
        .trim_start_matches("params = {")
        .trim_end_matches('}');
    inner
        .split(", ")
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_role_table_runs_exactly_as_params_on_the_groups() {
    let on_groups = hasim::Registry::builtin()
        .parse(&bundled(), Path::new(RAFT))
        .expect("bundled");
    let text = in_role_tables();
    assert!(!text.contains("params = {"), "{text}");
    let in_tables = hasim::Registry::builtin()
        .parse(&text, Path::new("tables.toml"))
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(in_tables.groups.len(), 3);
    // Every group gets its role's table (the replica values equal Raft's defaults, so
    // the trace alone could not tell whether the replicas' table was read).
    for (split, bundled) in [(0, 0), (1, 0), (2, 1)] {
        assert_eq!(
            in_tables.groups[split].params, on_groups.groups[bundled].params,
            "group {split}"
        );
        assert!(!in_tables.groups[split].params.is_empty());
    }
    for seed in 1..=3 {
        let (a, b) = (run(&on_groups, seed), run(&in_tables, seed));
        assert_eq!(a.trace_hash, b.trace_hash, "seed {seed}");
        assert!(a.events > 1000, "seed {seed}: {} events", a.events);
    }
}

#[test]
fn a_groups_own_keys_win_over_its_roles_table() {
    let text = r#"
        [scenario]
        name = "override"
        duration = "2s"
        [params.client]
        interval = "20ms"
        timeout = "500ms"
        [[group]]
        role = "replica"
        count = 3
        protocol = "raft"
        [[group]]
        role = "client"
        protocol = "raft"
        [[group]]
        role = "client"
        protocol = "raft"
        params = { interval = "40ms" }
    "#;
    let s = hasim::Registry::builtin()
        .parse(text, Path::new("override.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let key = |g: usize, k: &str| s.groups[g].params.get(k).map(|v| v.to_string());
    assert_eq!(key(1, "interval").as_deref(), Some("\"20ms\""));
    assert_eq!(key(2, "interval").as_deref(), Some("\"40ms\""));
    assert_eq!(key(2, "timeout").as_deref(), Some("\"500ms\""));
    assert_eq!(
        key(0, "interval"),
        None,
        "a role's table reaches only its own groups"
    );
}

#[test]
fn role_tables_are_checked_against_the_groups() {
    let base = |tables: &str| {
        format!(
            "[scenario]\nname = \"bad\"\nduration = \"1s\"\n{tables}\n[[group]]\nrole = \"replica\"\ncount = 3\nprotocol = \"raft\"\n"
        )
    };
    let e = hasim::Registry::builtin()
        .parse(
            &base("[params.replicas]\nheartbeat = \"50ms\"\n"),
            Path::new("r.toml"),
        )
        .expect_err("no such role");
    let e = e.to_string();
    assert!(
        e.starts_with("r.toml:4:") && e.contains("field `params.replicas`"),
        "{e}"
    );
    assert!(
        e.contains("no group has role \"replicas\"") && e.contains(": replica"),
        "{e}"
    );

    let e = hasim::Registry::builtin()
        .parse(
            &base("[params.replica]\nheartbeat = 50\n"),
            Path::new("r.toml"),
        )
        .expect_err("a number for a duration");
    let e = e.to_string();
    assert!(
        e.contains("field `params.replica`"),
        "the role table is at fault: {e}"
    );
}
