//! Random scenarios, valid and mutated: loading never panics, and whatever loads
//! runs to an end (the event budget and the horizon bound every run; no hang).

use hasim::runner::{run, RunOptions};
use proptest::prelude::*;
use std::path::Path;

const SELECTORS: &[&str] = &[
    "server-1",
    "client-1",
    "role:server",
    "all",
    "random",
    "minority",
    "zone:a",
    "nobody",
];
const KINDS: &[&str] = &[
    "crash",
    "pause",
    "partition",
    "isolate",
    "loss_spike",
    "latency_spike",
    "clock_jump",
    "heal",
    "meteor",
];

fn scenario() -> impl Strategy<Value = String> {
    (
        1u32..4,
        1u32..3,
        prop::sample::select(vec!["0s", "1s", "3s", "5s", "x"]),
        prop::collection::vec((0u32..4000, prop::sample::select(KINDS), prop::sample::select(SELECTORS), 0u32..2000), 0..4),
        prop::sample::select(vec!["0.01", "\"1/50\"", "1.5", "\"5%\"", "-1"]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(servers, clients, duration, faults, loss, random, check)| {
            let mut s = format!(
                "[scenario]\nname = \"fuzz\"\nduration = \"{duration}\"\nevent_budget = 200000\n\n[network]\nzones = [\"a\", \"b\"]\nloss = {loss}\n\n[[group]]\nrole = \"server\"\ncount = {servers}\nzone = \"spread\"\nprotocol = \"ping\"\n\n[[group]]\nrole = \"client\"\ncount = {clients}\nprotocol = \"ping\"\nparams = {{ interval = \"20ms\" }}\n"
            );
            for (at, kind, target, lasts) in faults {
                s.push_str(&format!("\n[[fault]]\nat = \"{at}ms\"\nkind = \"{kind}\"\ntarget = \"{target}\"\n"));
                match kind {
                    "crash" => s.push_str(&format!("restart_after = \"{}ms\"\n", lasts + 1)),
                    "loss_spike" => s.push_str("loss = 0.5\n"),
                    "latency_spike" => s.push_str("extra = \"50ms\"\n"),
                    "clock_jump" => s.push_str("by = \"-200ms\"\n"),
                    "pause" | "partition" | "isolate" => s.push_str(&format!("lasts = \"{lasts}ms\"\n")),
                    _ => {}
                }
            }
            if random {
                s.push_str("\n[faults.swarm]\nevery = [\"200ms\", \"2s\"]\nlasts = [\"10ms\", \"500ms\"]\n");
            }
            if check {
                s.push_str("\n[[check]]\navailability = \">= 50%\"\n[[check]]\neventually = \"all_up\"\nwithin = \"1s\"\n");
            }
            s
        })
}

/// Mutations: cut the text short, or splice a byte in.
fn mutated() -> impl Strategy<Value = String> {
    (
        scenario(),
        any::<prop::sample::Index>(),
        prop::sample::select(vec!["", "=", "[", "\"", "0", "}", "\n[[check]]\n"]),
    )
        .prop_map(|(s, at, insert)| {
            let mut i = at.index(s.len() + 1);
            while !s.is_char_boundary(i) {
                i -= 1;
            }
            if insert.is_empty() {
                s[..i].to_string()
            } else {
                format!("{}{insert}{}", &s[..i], &s[i..])
            }
        })
}

fn load_and_run(text: &str) {
    if let Ok(scenario) = hasim::Registry::builtin().parse(text, Path::new("fuzz.toml")) {
        let schedule = scenario.schedule(3);
        assert!(schedule.windows(2).all(|w| w[0].at <= w[1].at));
        run(
            &scenario,
            &RunOptions {
                seed: 3,
                ..RunOptions::default()
            },
        )
        .expect("a loaded scenario runs");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn valid_scenarios_never_panic_or_hang(text in scenario()) {
        load_and_run(&text);
    }

    #[test]
    fn mutated_scenarios_never_panic(text in mutated()) {
        load_and_run(&text);
    }
}
