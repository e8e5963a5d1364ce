//! Every file in tests/bad_scenarios/ must be rejected with a clear message (file,
//! line, column, field, what was expected); the messages are insta snapshots.

#[test]
fn every_bad_scenario_is_rejected_with_a_located_message() {
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::glob!("*.toml", |path| {
            let name = path.file_name().unwrap().to_str().unwrap();
            let relative = std::path::Path::new("tests/bad_scenarios").join(name);
            let text = std::fs::read_to_string(path).unwrap();
            let error = hasim::Registry::builtin().parse(&text, &relative).expect_err("a bad scenario must be rejected");
            let message = error.to_string();
            assert!(message.starts_with(&format!("{}:", relative.display())), "{message}");
            insta::assert_snapshot!(message);
        });
    });
}
