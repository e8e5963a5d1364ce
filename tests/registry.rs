//! The open registry and the snapshot helper, from outside the hasim crate: the
//! built-in models are what `Cli::new()` holds, a registry without a model refuses
//! its scenarios, and `hasim::testing` text is stable for a seed and changes with a
//! parameter.

use hasim::models::Lookup;
use hasim::testing::Snapshot;
use hasim::Registry;

const PING: &str = r#"
[scenario]
name = "registry_ping"
duration = "200ms"

[network]
latency = { dist = "uniform", min = "1ms", max = "3ms" }

[[group]]
role = "client"
protocol = "ping"
params = { interval = "10ms", timeout = "50ms" }

[[group]]
role = "server"
count = 2
protocol = "ping"

[[fault]]
at = "100ms"
kind = "crash"
target = "server-2"

[[check]]
invariant = "ok_within_timeout"
"#;

#[test]
fn the_cli_holds_every_built_in_model_once_in_list_order() {
    let cli = hasim::cli::Cli::new();
    let names: Vec<&str> = cli.registry().entries().iter().map(|m| m.name).collect();
    let builtin: Vec<&str> = Registry::builtin()
        .entries()
        .iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(names, builtin);
    assert_eq!(names.first(), Some(&"ping"));
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "{names:?}");
    assert!(names.contains(&"raft") && names.contains(&"data_platform"));
}

#[test]
fn a_registry_without_the_model_refuses_its_scenario_by_name() {
    let e = Registry::empty()
        .parse(PING, std::path::Path::new("ping.toml"))
        .expect_err("no model registered");
    assert!(e.to_string().contains("unknown model \"ping\""), "{e}");
}

#[test]
fn a_snapshot_is_identical_for_a_seed_and_changes_with_a_parameter() {
    let models = Registry::builtin();
    let a = Snapshot::of_toml(&models, PING, 7).expect("runs");
    let b = Snapshot::of_toml(&models, PING, 7).expect("runs");
    assert_eq!(a.summary(), b.summary());
    assert_eq!(a.trace(), b.trace());
    // Names, not ids: the crash's target and the client's server by name.
    assert!(a.trace().contains("crash server-2"), "{}", a.trace_head(40));
    assert!(a.trace().contains("to=server-1"), "{}", a.trace_head(40));
    assert!(!a.trace().contains("=n1 "), "{}", a.trace_head(40));
    let slower = PING.replace("interval = \"10ms\"", "interval = \"15ms\"");
    assert_ne!(slower, PING);
    let c = Snapshot::of_toml(&models, &slower, 7).expect("runs");
    assert_ne!(a.trace(), c.trace());
    assert_ne!(a.summary(), c.summary());
    let other_seed = Snapshot::of_toml(&models, PING, 8).expect("runs");
    assert_ne!(a.trace(), other_seed.trace());
}
