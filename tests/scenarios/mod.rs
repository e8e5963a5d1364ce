//! Every scenario in scenarios/ runs twice with the same trace hash, its description
//! states its claim, and its summary (the RunResult as JSON) is an insta snapshot.

use hasim::runner::{run, RunOptions};

#[test]
fn every_scenario_is_deterministic_and_its_summary_is_snapshotted() {
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::glob!("../../scenarios", "*.toml", |path| {
            let name = path.file_name().unwrap().to_str().unwrap();
            let relative = std::path::Path::new("scenarios").join(name);
            let text = std::fs::read_to_string(path).unwrap();
            let scenario = hasim::Registry::builtin().parse(&text, &relative).unwrap_or_else(|e| panic!("{e}"));
            assert!(!scenario.description.is_empty(), "{name}: the description states the claim");
            let opts = RunOptions { seed: scenario.seed, ..RunOptions::default() };
            let first = run(&scenario, &opts).unwrap();
            let second = run(&scenario, &opts).unwrap();
            assert_eq!(first.trace_hash, second.trace_hash, "{name} is not deterministic");
            assert_eq!(first, second);
            insta::assert_json_snapshot!(first);
        });
    });
}
