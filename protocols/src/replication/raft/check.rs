//! The checkers of Raft's promises: election safety (per event, from the views), and
//! on the finished run log matching, state machine safety and no lost acknowledged
//! write. Each failure message names a small counterexample.

use super::log::{Command, Entry, Index, Log, Term};
use super::message::Observation;
use super::{Raft, RoleName, State, View};
use crate::replication::history::{History, Key, OpKind, Value};
use crate::replication::lost::lost_writes_log;
use hasim_sim::{Inspect, NodeId, Observed};
use std::collections::{BTreeMap, BTreeSet};

/// Election safety: no two nodes lead the same term, over the whole run. Feed it the
/// views after every event.
#[derive(Clone, Debug, Default)]
pub struct ElectionSafety {
    leaders: BTreeMap<Term, NodeId>,
}

impl ElectionSafety {
    /// Records the leaders in `views`; `Err` when a term gets a second leader.
    pub fn check(&mut self, views: &[Option<View>]) -> Result<(), String> {
        for (n, v) in views.iter().enumerate() {
            let Some(View::Replica {
                role: RoleName::Leader,
                term,
                ..
            }) = v
            else {
                continue;
            };
            let node = NodeId(n as u32);
            let first = *self.leaders.entry(*term).or_insert(node);
            if first != node {
                return Err(format!("{first} and {node} both led term {term}"));
            }
        }
        Ok(())
    }
}

/// The clients' history, from the run's observations.
pub fn history(observations: &[Observed<Observation>]) -> History {
    History::from_events(observations.iter().filter_map(|o| match o.observation {
        Observation::Client(e) => Some((o.time, o.node, e)),
        _ => None,
    }))
}

/// What was applied at each index, first come: term, command and the replica.
pub fn applied(
    observations: &[Observed<Observation>],
) -> Result<BTreeMap<Index, (Term, Command)>, String> {
    let mut first: BTreeMap<Index, (Term, Command, NodeId)> = BTreeMap::new();
    for o in observations {
        let Observation::Applied {
            index,
            term,
            command,
        } = o.observation
        else {
            continue;
        };
        let (t, c, by) = *first.entry(index).or_insert((term, command, o.node));
        if (t, c) != (term, command) {
            return Err(format!(
                "index {index}: {by} applied an entry of term {t} ({}), {} one of term {term} ({}) at {}",
                name(c),
                o.node,
                name(command),
                o.time
            ));
        }
    }
    Ok(first
        .into_iter()
        .map(|(i, (t, c, _))| (i, (t, c)))
        .collect())
}

fn name(c: Command) -> String {
    match c {
        Command::Noop => "no-op".to_string(),
        Command::Op { client, op, .. } => format!("op {op} of {client}"),
    }
}

/// State machine safety: no two replicas applied different commands at one index,
/// across the whole run (restarts included).
pub fn state_machine_safety(observations: &[Observed<Observation>]) -> Result<(), String> {
    applied(observations).map(|_| ())
}

/// Log matching: when two logs hold an entry with the same index and term, they are
/// identical up to that index.
pub fn log_matching(logs: &[(NodeId, &Log)]) -> Result<(), String> {
    for (i, (a, la)) in logs.iter().enumerate() {
        for (b, lb) in &logs[i + 1..] {
            let common = la.last_index().min(lb.last_index());
            // The highest index where the terms agree; below it, everything must.
            let Some(top) = (1..=common).rev().find(|&k| la.term_at(k) == lb.term_at(k)) else {
                continue;
            };
            if let Some(k) = (1..=top).find(|&k| la.get(k) != lb.get(k)) {
                return Err(format!(
                    "{a} and {b} agree on index {top} (term {}) but differ at index {k} \
                     (terms {} and {})",
                    la.term_at(top).unwrap_or(0),
                    la.term_at(k).unwrap_or(0),
                    lb.term_at(k).unwrap_or(0)
                ));
            }
        }
    }
    Ok(())
}

/// The committed log at the end of the run: the prefix up to the highest index any
/// replica applied, as the replicas' final disks hold it (synced or not: a plain
/// crash keeps unsynced writes, so only what a crash under a disk fault dropped is
/// gone; see `Inspect::on_disk`), taken from those whose entry
/// there has the term last applied at that index; by log matching they agree on the
/// prefix). Empty when no durable log holds it any more: everything acknowledged is
/// then lost.
pub fn committed_log(sim: &impl Inspect<Raft>) -> Vec<Entry> {
    let mut top: Option<(Index, Term)> = None;
    for o in sim.observations() {
        if let Observation::Applied { index, term, .. } = o.observation {
            if top.is_none_or(|(i, _)| index >= i) {
                top = Some((index, term));
            }
        }
    }
    let Some((top, term)) = top else {
        return Vec::new();
    };
    for &r in sim.protocol().replicas() {
        let disk = sim.on_disk(r);
        if disk.log.term_at(top) == Some(term) {
            return disk.log.slice(1, top as usize).to_vec();
        }
    }
    Vec::new()
}

/// No acknowledged write is missing from the committed log at the end of the run.
pub fn no_lost_writes(sim: &impl Inspect<Raft>) -> Result<(), String> {
    let history = history(sim.observations());
    let mut logs: BTreeMap<Key, BTreeSet<Value>> = BTreeMap::new();
    for e in committed_log(sim) {
        if let Command::Op {
            key,
            kind: OpKind::Write(v),
            ..
        } = e.command
        {
            logs.entry(key).or_default().insert(v);
        }
    }
    let lost = lost_writes_log(&history, &logs);
    match lost.first() {
        None => Ok(()),
        Some(first) => Err(format!(
            "{} acknowledged write(s) lost; first: {first}",
            lost.len()
        )),
    }
}

/// Log matching over every replica's final disk (crashed ones included; unsynced
/// writes count, as for [`committed_log`]).
pub fn final_log_matching(sim: &impl Inspect<Raft>) -> Result<(), String> {
    let disks: Vec<_> = sim
        .protocol()
        .replicas()
        .iter()
        .map(|&r| (r, sim.on_disk(r)))
        .collect();
    let logs: Vec<(NodeId, &Log)> = disks.iter().map(|(r, d)| (*r, &d.log)).collect();
    log_matching(&logs)
}

/// The replicas' live states at the end (for reports and tests).
pub fn replicas(sim: &impl Inspect<Raft>) -> Vec<(NodeId, &super::Replica)> {
    sim.protocol()
        .replicas()
        .iter()
        .filter_map(|&r| match sim.state(r) {
            Some(State::Replica(x)) => Some((r, &**x)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hasim_sim::SimTime;

    fn log(terms: &[Term]) -> Log {
        Log::from_entries(
            terms
                .iter()
                .map(|&term| Entry {
                    term,
                    command: Command::Noop,
                })
                .collect(),
        )
    }

    fn leader(term: Term) -> Option<View> {
        Some(View::Replica {
            role: RoleName::Leader,
            term,
            commit: 0,
        })
    }

    #[test]
    fn election_safety_remembers_leaders_across_events() {
        let mut c = ElectionSafety::default();
        assert!(c.check(&[leader(1), None, None]).is_ok());
        // Node 0 crashed; node 2 leads term 2: fine.
        assert!(c.check(&[None, None, leader(2)]).is_ok());
        // Node 1 claims term 1 later, when node 0 is long gone: still a violation.
        let err = c.check(&[None, leader(1), None]).unwrap_err();
        assert_eq!(err, "n0 and n1 both led term 1");
    }

    #[test]
    fn log_matching_finds_a_divergent_prefix() {
        let a = log(&[1, 1, 2, 3]);
        let b = log(&[1, 1, 2, 2]);
        assert!(log_matching(&[(NodeId(0), &a), (NodeId(1), &b)]).is_ok());
        // Same term at index 3, different terms at index 2: impossible in Raft.
        let c = log(&[1, 2, 2]);
        let err = log_matching(&[(NodeId(0), &a), (NodeId(2), &c)]).unwrap_err();
        assert!(err.contains("differ at index 2"), "{err}");
    }

    #[test]
    fn state_machine_safety_catches_two_commands_at_one_index() {
        let at = |node, term, op| Observed {
            time: SimTime::ZERO,
            node: NodeId(node),
            observation: Observation::Applied {
                index: 4,
                term,
                command: Command::Op {
                    client: NodeId(9),
                    op,
                    key: 0,
                    kind: OpKind::Read,
                },
            },
        };
        assert!(state_machine_safety(&[at(0, 2, 7), at(1, 2, 7)]).is_ok());
        let err = state_machine_safety(&[at(0, 2, 7), at(1, 3, 8)]).unwrap_err();
        assert!(err.starts_with("index 4:"), "{err}");
    }
}
