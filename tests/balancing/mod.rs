//! The balancing model from scenarios and the command line: `hasim capacity` against
//! the M/M/1 tail, its exit codes, and how groups map onto the model's layout.

use hasim::runner::{run, RunOptions};
use std::path::Path;
use std::process::{Command, Output};

fn hasim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the hasim binary runs")
}

const MM1: &str = "tests/balancing/mm1.toml";

/// The rate on the line "highest rate meeting every check: R requests/s".
fn highest(out: &str) -> Option<f64> {
    out.lines()
        .find_map(|l| l.strip_prefix("highest rate meeting every check: "))
        .and_then(|r| r.strip_suffix(" requests/s"))
        .and_then(|r| r.parse().ok())
}

#[test]
fn capacity_finds_the_m_m_1_rate_for_a_p99_objective() {
    // μ = 10/s: the M/M/1 sojourn is exponential with rate μ − λ, so p99 ≤ 2 s holds up
    // to λ = 10 − ln(100)/2 = 7.697/s. Four seeds of 2,000 s at every rate (common
    // random numbers), objective on the mean p99; tolerance 3 % (measured 7.745, +0.6 %).
    let o = hasim(&["capacity", MM1, "--rate", "1..9.9", "--seeds", "1..5"]);
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    let expected = 10.0 - 100f64.ln() / 2.0;
    let found = highest(&out).unwrap_or_else(|| panic!("no answer in\n{out}"));
    assert!(
        (found - expected).abs() / expected < 0.03,
        "found {found}/s, theory {expected:.3}/s\n{out}"
    );
    // The table lists every rate tried, in order, with the objective's figure.
    for needle in ["rate/s", "checks", "seeds ok", "latency_p99", "met", "FAIL"] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
}

#[test]
fn capacity_exit_codes() {
    // Even the lowest rate fails: exit 1, and the table says so.
    let o = hasim(&["capacity", MM1, "--rate", "9.5..9.9", "--precision", "0.1"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("no capacity in the range"), "{out}");
    // Bad input: exit 2 with a message.
    for (args, needle) in [
        (
            vec!["capacity", MM1, "--rate", "5..1"],
            "MIN must be below MAX",
        ),
        (vec!["capacity", MM1, "--rate", "0..1"], "not a rate"),
        (
            vec!["capacity", MM1, "--rate", "1..2", "--precision", "0"],
            "--precision",
        ),
        (
            vec!["capacity", "scenarios/quickstart.toml", "--rate", "1..2"],
            "the ping model",
        ),
    ] {
        let o = hasim(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn a_role_may_span_groups_and_schedules_name_backends() {
    // Balancers in two groups (two zones, say) and params written once; a brownout of
    // "backend-2" by name is the model's backend index 1.
    let text = r#"
        [scenario]
        name = "split"
        duration = "5s"
        [[group]]
        role = "client"
        protocol = "balancing"
        params = { workload = { kind = "open", rate = 40 }, keys = 10 }
        [[group]]
        role = "balancer"
        protocol = "balancing"
        params = { policy = "random" }
        [[group]]
        role = "balancer"
        protocol = "balancing"
        [[group]]
        role = "backend"
        count = 2
        protocol = "balancing"
        params = { slow = [{ backend = "backend-2", at = "0s", until = "5s", factor = 20.0 }] }
        [[check]]
        "utilisation.backend-2" = ">= 90%"
    "#;
    let s = hasim::Registry::builtin()
        .parse(text, Path::new("split.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.nodes.len(), 5);
    let r = run(&s, &RunOptions::default()).unwrap();
    let f = &r.figures;
    assert!(f["utilisation.backend-1"] < 0.4, "{f:?}");
    assert!(r.passed(), "{r:?}");
    // Params written differently on two groups of one role are refused.
    let differ = text.replace(
        "role = \"balancer\"\n        protocol = \"balancing\"\n        [[group]]",
        "role = \"balancer\"\n        protocol = \"balancing\"\n        params = { policy = \"power_of_two\" }\n        [[group]]",
    );
    let e = hasim::Registry::builtin()
        .parse(&differ, Path::new("split.toml"))
        .expect_err("differing params");
    assert!(
        e.to_string().contains("group[2]'s differ from group[1]'s"),
        "{e}"
    );
}

#[test]
fn a_restarted_client_asks_who_holds_the_virtual_address() {
    // The bundled VIP failover (balancer-1, the owner, down for good at 5 s of 12), and
    // client-1 crashed at 7 s, after the takeover, restarted at 7.5 s. A restarted
    // client has lost its ARP cache; if it did not ask (who_has) it would send to the
    // dead owner for the rest of the run: ~4.5 s of its 50 requests/s, about 19 % of
    // all requests. Asking, it finds the standby at once and almost every request of
    // the run still succeeds.
    let text = std::fs::read_to_string("scenarios/balancing_vip_failover.toml").expect("reads");
    let extra = "\n[[fault]]\nat = \"7s\"\nkind = \"crash\"\ntarget = \"client-1\"\nrestart_after = \"500ms\"\n";
    let s = hasim::Registry::builtin()
        .parse(
            &format!("{text}{extra}"),
            Path::new("tests/balancing/mod.rs"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let r = run(
        &s,
        &RunOptions {
            seed: 1,
            ..RunOptions::default()
        },
    )
    .expect("runs");
    let rate = r.figures["success_rate"];
    assert!(rate >= 0.93, "success rate {rate}");
}
