//! insta snapshots on fixed seeds: the start of a trace (elections, the first
//! appends, a client redirected) and the figures of a leader crash. Any change in
//! what the model does shows up as a diff.

use super::behaviour::leader_crash_run;
use super::{raft, sim, Shared};
use hasim_protocols::replication::raft::{figures, RaftParams};
use std::cell::RefCell;
use std::fmt::Write;
use std::rc::Rc;

#[test]
fn trace_start_of_three_replicas_and_a_client() {
    let kept = Rc::new(RefCell::new(Vec::new()));
    let mut s = sim(raft(3, 1, RaftParams::default()), 1, 400, vec![]);
    s.trace_sink(Shared(kept.clone()));
    s.run();
    let text: String = kept
        .borrow()
        .iter()
        .take(90)
        .map(|r| format!("{r}\n"))
        .collect();
    insta::assert_snapshot!(text);
}

#[test]
fn figures_of_a_leader_crash() {
    let (s, leader, term) = leader_crash_run(3);
    let mut text = format!("crashed leader {leader} of term {term} at 2s\n");
    for (name, v) in figures::figures(&s) {
        writeln!(text, "{name} = {v:.6}").unwrap();
    }
    writeln!(text, "trace hash = {:016x}", s.trace_hash()).unwrap();
    insta::assert_snapshot!(text);
}
