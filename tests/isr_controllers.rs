//! The `isr` model's controllers: with standbys, a crash of the active controller no
//! longer stops leader elections (and with one controller it does); the safe setting
//! keeps every acknowledged write and one leader per epoch over seeds of random faults
//! that hit controllers too; each detector kind, as the controllers' judge, keeps the
//! same properties.

use crate::isr::{figure, passed, scenario};
use crate::support::run;
use hasim::runner::RunResult;
use hasim::scenario::Scenario;

const FAILOVER: &str = "replication_isr_controller_failover";

/// The bundled failover scenario with one controller instead of three.
fn one_controller() -> Vec<(&'static str, &'static str)> {
    vec![(
        "role = \"controller\"\ncount = 3",
        "role = \"controller\"\ncount = 1",
    )]
}

/// Fails unless every check of the run held.
fn all_held(r: &RunResult, what: &str) {
    for c in &r.checks {
        assert!(
            c.passed,
            "{what} seed {}: {} failed: {:?}",
            r.seed, c.name, r.violation
        );
    }
}

#[test]
fn a_standby_takes_over_and_elects_a_new_leader_which_one_controller_cannot() {
    // The active controller crashes for good at 3 s, partition 0's leader at 5 s.
    // With three controllers a standby takes over and a new leader serves within
    // 2.5 s of the leader's crash (measured about 1.0 s: the standby fences the broker
    // after its 600 ms session, then the first fetch round commits a write); with one,
    // partition 0 has no leader until broker-1 returns at 9 s.
    let three = scenario(FAILOVER, &[]);
    let one = scenario(FAILOVER, &one_controller());
    for seed in 1..=10 {
        let r = run(&three, seed);
        all_held(&r, "three controllers");
        assert_eq!(figure(&r, "controller_takeovers"), 1.0, "seed {seed}");
        assert_eq!(figure(&r, "elections_clean"), 1.0, "seed {seed}");
        let recovery = figure(&r, "recovery_time_mean");
        assert!(
            recovery < 2.5,
            "seed {seed}: the new leader served {recovery} s after the crash"
        );
        let o = run(&one, seed);
        assert_eq!(figure(&o, "elections_clean"), 0.0, "seed {seed}");
        assert!(
            !passed(&o, "eventually leader within 2.5s"),
            "seed {seed}: one controller, down, still got partition 0 a leader"
        );
        assert!(
            figure(&o, "offline_time_fraction") > 3.0 * figure(&r, "offline_time_fraction"),
            "seed {seed}"
        );
    }
}

/// The bundled safe scenario with three controllers taken from its brokers (six
/// brokers: broker-1..3 control, broker-4..6 host replicas), so its explicit faults
/// and random crashes, pauses and partitions of `role:broker` hit controllers too;
/// `edits` on top.
fn clean_with_three_controllers(edits: &[(&str, &str)]) -> Scenario {
    let mut all = vec![
        (
            "role = \"broker\"\ncount = 4",
            "role = \"broker\"\ncount = 6",
        ),
        (
            "replication_factor = 3,",
            "replication_factor = 3, controllers = 3,",
        ),
    ];
    all.extend_from_slice(edits);
    scenario("replication_isr_clean", &all)
}

#[test]
fn with_standby_controllers_the_safe_setting_keeps_every_write_over_50_seeds_of_faults() {
    // Every check (one leader per epoch, a leader back within 2.5 s of the last fault,
    // no lost acknowledged write) must hold on every seed, and the seeds must really
    // move the controller (else holding proves nothing about failover).
    let s = clean_with_three_controllers(&[]);
    let (mut takeovers, mut elections) = (0.0, 0.0);
    for seed in 0..50 {
        let r = run(&s, seed);
        all_held(&r, "controllers = 3");
        assert_eq!(figure(&r, "lost_writes"), 0.0, "seed {seed}");
        assert_eq!(figure(&r, "elections_unclean"), 0.0, "seed {seed}");
        takeovers += figure(&r, "controller_takeovers");
        elections += figure(&r, "elections_clean");
    }
    assert!(takeovers >= 25.0, "only {takeovers} controller takeovers");
    assert!(elections >= 50.0, "only {elections} clean elections");
}

/// The clean scenario's safety checks.
const SAFETY: [&str; 3] = [
    "always one_leader_per_epoch",
    "at end no_lost_writes",
    "lost_writes == 0",
];

#[test]
fn each_detector_kind_judges_for_the_controllers_and_keeps_the_safety_properties() {
    // The session timeout is longer than the run, so only the detector can fence a
    // broker or depose a silent active controller: elections and takeovers happen
    // only if the detector decides them. The safety checks must hold on seeds 0-19,
    // and the liveness one too except under SWIM: its `confirm` holds a broker that
    // was cut off (not crashed) dead until it restarts, so a partition whose last ISR
    // member it confirmed stays offline (seed 9: until the run ends).
    for detector in crate::support::FAST_DETECTORS {
        let with = format!("session_timeout = \"60s\", {detector},");
        let s = clean_with_three_controllers(&[(r#"session_timeout = "600ms","#, &with)]);
        let kind = detector.split('"').nth(1).unwrap_or(detector);
        let (mut takeovers, mut elections) = (0.0, 0.0);
        for seed in 0..20 {
            let r = run(&s, seed);
            for c in SAFETY {
                assert!(
                    passed(&r, c),
                    "{kind} seed {seed}: {c} failed: {:?}",
                    r.violation
                );
            }
            if kind != "swim" {
                all_held(&r, kind);
            }
            assert_eq!(figure(&r, "lost_writes"), 0.0, "{kind} seed {seed}");
            takeovers += figure(&r, "controller_takeovers");
            elections += figure(&r, "elections_clean");
        }
        assert!(takeovers >= 5.0, "{kind}: only {takeovers} takeovers");
        assert!(
            elections >= 20.0,
            "{kind}: only {elections} clean elections"
        );
    }
}
