//! The memory a detector's state takes, estimated before a run starts, so a scenario
//! whose state cannot fit (100,000 heartbeat members with `monitors = "all"`) is
//! refused at validation with what to change, instead of aborting the process when
//! the allocations fail part-way through building the nodes.
//!
//! The estimate is structural, from the layout alone: every detector node keeps a
//! small record for every node of the run (n² records in all, whatever the layout),
//! and each watched pair keeps the detector's own per-target state on top (phi
//! accrual's window of inter-arrival samples: 8 bytes a sample). With `monitors =
//! "one"` node 0 watches n − 1 members; with `monitors = "all"` every member watches
//! every other, n·(n − 1) pairs. Messages in flight and timers are not counted: they
//! are bounded by the engine's own limits (pending timers per node, the event budget).

use super::{InvalidParams, Monitors};

/// Bytes every detector node keeps for each node of the run (a target record, and
/// its place in the list of who watches it), rounded up.
pub const PER_NODE_PAIR: u64 = 32;

/// The most detector state a run may take: beyond this the run is refused.
pub const STATE_MAX: u64 = 4 << 30;

/// Why a detector's state would not fit, in words that say what to change; `None`
/// when it fits. `watched` is the detector's bytes per watched pair beyond
/// [`PER_NODE_PAIR`], `why_watched` what they hold (for the message).
pub fn too_large(
    nodes: u32,
    monitors: Monitors,
    watched: u64,
    why_watched: &str,
) -> Option<InvalidParams> {
    let n = u64::from(nodes);
    let pairs = match monitors {
        Monitors::One => n.saturating_sub(1),
        Monitors::All => n.saturating_mul(n.saturating_sub(1)),
    };
    let bytes = n
        .saturating_mul(n)
        .saturating_mul(PER_NODE_PAIR)
        .saturating_add(pairs.saturating_mul(watched));
    if bytes <= STATE_MAX {
        return None;
    }
    let gib = bytes as f64 / (1u64 << 30) as f64;
    let per_pair = if watched > 0 {
        format!(", and {pairs} watched pairs keep {watched} bytes each ({why_watched})")
    } else {
        String::new()
    };
    let change = match (monitors, watched > 0) {
        (Monitors::All, true) => "use fewer members, monitors = \"one\", or a smaller window",
        (Monitors::All, false) => "use fewer members, or monitors = \"one\"",
        (Monitors::One, true) => "use fewer members, or a smaller window",
        (Monitors::One, false) => "use fewer members",
    };
    Some(InvalidParams::rule(format!(
        "the detector's state would take about {gib:.1} GiB ({nodes} nodes each keep {PER_NODE_PAIR} bytes for every node{per_pair}), more than the {}GiB a run allows: {change}",
        STATE_MAX >> 30
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_to_all_grows_with_the_square_and_central_does_not_watch_much() {
        // 11,585 nodes: 11585² · 32 B ≈ 4.0 GiB, just under; one more member is over.
        assert_eq!(too_large(11_585, Monitors::One, 0, ""), None);
        let over = too_large(11_586, Monitors::All, 0, "")
            .expect("over")
            .to_string();
        assert!(
            over.contains("4.0 GiB") && over.contains("monitors = \"one\""),
            "{over}"
        );
        // phi's window: 8 KB a pair makes 1,000 all-to-all members 7.5 GiB.
        let phi = too_large(1_000, Monitors::All, 8_064, "a window of 1000 samples")
            .expect("over")
            .to_string();
        assert!(
            phi.contains("999000 watched pairs") && phi.contains("smaller window"),
            "{phi}"
        );
        assert_eq!(too_large(1_000, Monitors::One, 8_064, ""), None);
        assert_eq!(too_large(100, Monitors::All, 8_064, ""), None);
    }
}
