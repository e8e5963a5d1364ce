//! The gallery checkout, a composition of a balancing part and a Raft part joined by
//! the store seam: the seam between the balancer
//! tier and the order store really holds answers until orders commit (a client's ok
//! needs a stored order; with the store gone, checkouts fail), and the parts' checks
//! are judged on their own nodes.

use crate::support::{held, run};
use hasim::scenario::Scenario;
use std::path::Path;

const GALLERY: &str = "scenarios/gallery_ecommerce_checkout.toml";

/// The gallery scenario without its faults, with `faults` (TOML) instead, cut to
/// `duration`.
fn variant(faults: &str, duration: &str) -> Scenario {
    let text = std::fs::read_to_string(GALLERY).expect("reads");
    let kept: Vec<&str> = text
        .split("\n\n")
        .filter(|block| !block.trim_start().starts_with("[[fault]]"))
        .collect();
    let text = kept
        .join("\n\n")
        .replace("duration = \"300s\"", &format!("duration = \"{duration}\""));
    hasim::Registry::builtin()
        .parse(&format!("{text}\n{faults}"), Path::new(GALLERY))
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_ok_checkout_is_a_stored_order_and_the_checks_hold() {
    let s = hasim::Registry::builtin()
        .load(Path::new(GALLERY))
        .expect("loads");
    for seed in 1..=3 {
        let r = held(&s, seed);
        let f = &r.figures;
        // A client's ok needs an ok from an app server, which it sends only once the
        // store acknowledged that request's order: at least as many stored orders as
        // ok checkouts (more when a retried request stored twice).
        assert!(
            f["orders.ops_ok"] >= f["front.requests_ok"],
            "seed {seed}: {} stored, {} ok",
            f["orders.ops_ok"],
            f["front.requests_ok"]
        );
        // ... and not wildly more: about one order per request.
        assert!(
            f["orders.ops"] <= f["front.requests"] * 1.05,
            "seed {seed}: {} orders for {} requests",
            f["orders.ops"],
            f["front.requests"]
        );
        // The scenario exercises what it claims: a VIP takeover and a leader crash.
        assert_eq!(f["front.vip_takeovers"], 1.0, "seed {seed}");
        assert!(f["orders.leader_crashes"] >= 1.0, "seed {seed}");
    }
}

#[test]
fn with_the_store_down_checkouts_fail_and_no_acknowledged_order_is_lost() {
    // No other fault; every replica crashes at 30 s of 60 and stays down: from then on
    // no order can be acknowledged, so app servers answer errors and clients fail.
    // Requests end at a steady rate, so about half of them fail.
    let s = variant(
        "[[fault]]\nat = \"30s\"\nkind = \"crash\"\ntarget = \"role:replica\"\n",
        "60s",
    );
    let r = run(&s, 1);
    let f = &r.figures;
    let rate = f["front.success_rate"];
    assert!((0.40..0.60).contains(&rate), "success rate {rate}");
    assert!(f["orders.ops_ok"] >= f["front.requests_ok"]);
    let lost = r
        .checks
        .iter()
        .find(|c| c.name == "at end orders.no_lost_writes")
        .expect("checked");
    assert!(lost.passed, "{lost:?}");
    // The success-rate check of the scenario catches the outage.
    let sr = r
        .checks
        .iter()
        .find(|c| c.name.starts_with("front.success_rate"))
        .expect("checked");
    assert!(!sr.passed);
}
