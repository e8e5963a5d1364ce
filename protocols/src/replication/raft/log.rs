//! The replicated log and the durable image a replica restarts from, with Raft's two
//! rules that depend on the log alone: the "at least as up to date" vote check
//! (§5.4.1) and the commit rule that counts replicas only for entries of the leader's
//! own term (§5.4.2, Figure 8). Kept pure so unit tests can pin them.

use crate::replication::history::{Key, OpKind};
use hasim_sim::{Describe, Detail, Durable, NodeId};

/// A Raft term.
pub type Term = u64;
/// A log position, from 1; 0 is the empty prefix.
pub type Index = u64;

/// What an entry asks the state machine to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// A new leader's first entry: commits the entries of earlier terms with it.
    Noop,
    /// A client operation; `(client, op)` identifies it, so a retried duplicate is
    /// applied once.
    Op {
        /// The client.
        client: NodeId,
        /// The client's sequence number of the operation.
        op: u64,
        /// The key.
        key: Key,
        /// Read or write.
        kind: OpKind,
    },
}

/// One log entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The term of the leader that created it.
    pub term: Term,
    /// What it does.
    pub command: Command,
}

/// A replica's log (index 1 is `entries[0]`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Log {
    entries: Vec<Entry>,
}

impl Log {
    /// A log holding `entries` (index 1 first).
    pub fn from_entries(entries: Vec<Entry>) -> Self {
        Log { entries }
    }

    /// The entries, index 1 first.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The last index (0 when empty).
    pub fn last_index(&self) -> Index {
        self.entries.len() as Index
    }

    /// The term of the last entry (0 when empty).
    pub fn last_term(&self) -> Term {
        self.entries.last().map_or(0, |e| e.term)
    }

    /// The term of the entry at `index`; 0 for index 0; `None` past the end.
    pub fn term_at(&self, index: Index) -> Option<Term> {
        if index == 0 {
            return Some(0);
        }
        self.entries.get(index as usize - 1).map(|e| e.term)
    }

    /// The entry at `index`, if any.
    pub fn get(&self, index: Index) -> Option<&Entry> {
        index
            .checked_sub(1)
            .and_then(|i| self.entries.get(i as usize))
    }

    /// Up to `max` entries from `from` on.
    pub fn slice(&self, from: Index, max: usize) -> &[Entry] {
        let start = (from.max(1) - 1) as usize;
        if start >= self.entries.len() {
            return &[];
        }
        let end = start.saturating_add(max).min(self.entries.len());
        &self.entries[start..end]
    }

    /// Appends one entry; returns its index.
    pub fn push(&mut self, entry: Entry) -> Index {
        self.entries.push(entry);
        self.last_index()
    }

    /// AppendEntries' consistency check: the log holds an entry at `prev_index` with
    /// `prev_term` (always true for the empty prefix).
    pub fn matches(&self, prev_index: Index, prev_term: Term) -> bool {
        self.term_at(prev_index) == Some(prev_term)
    }

    /// Merges `entries`, which follow `prev_index` (the consistency check passed).
    /// An entry that conflicts with one already here (same index, other term) truncates
    /// the log from there; entries already present are kept, so a stale or duplicated
    /// AppendEntries never shortens the log. Returns the first index written, if any.
    pub fn merge(&mut self, prev_index: Index, entries: &[Entry]) -> Option<Index> {
        for (k, e) in entries.iter().enumerate() {
            let index = prev_index + 1 + k as Index;
            match self.term_at(index) {
                Some(t) if t == e.term => continue,
                Some(_) => self.entries.truncate(index as usize - 1),
                None => {}
            }
            self.entries.extend_from_slice(&entries[k..]);
            return Some(index);
        }
        None
    }

    /// Replaces everything from `from` on with `entries` (a durable write replayed).
    pub fn overwrite(&mut self, from: Index, entries: &[Entry]) {
        self.entries.truncate((from.max(1) - 1) as usize);
        self.entries.extend_from_slice(entries);
    }
}

/// §5.4.1: a voter grants its vote only to a candidate whose log is at least as up to
/// date as its own: a later last term, or the same last term and at least as long.
pub fn up_to_date(
    candidate_last_term: Term,
    candidate_last_index: Index,
    own_last_term: Term,
    own_last_index: Index,
) -> bool {
    candidate_last_term > own_last_term
        || (candidate_last_term == own_last_term && candidate_last_index >= own_last_index)
}

/// §5.4.2: the highest index a leader of `term` may mark committed, given each
/// replica's match index (its own included). An index counts only when a majority
/// holds it *and* its entry is of the leader's own term: an entry of an earlier term
/// stored on a majority can still be overwritten (Figure 8), and is committed only
/// indirectly, by a later entry of the current term.
pub fn commit_index(log: &Log, match_index: &[Index], term: Term, commit: Index) -> Index {
    let majority = match_index.len() / 2 + 1;
    let mut n = log.last_index();
    while n > commit {
        if log.term_at(n) == Some(term) {
            if match_index.iter().filter(|&&m| m >= n).count() >= majority {
                return n;
            }
        } else if log.term_at(n).is_some_and(|t| t < term) {
            // Entries only get older going back: none below is of this term.
            break;
        }
        n -= 1;
    }
    commit
}

/// What a replica keeps on disk: term, vote and log (Raft's persistent state).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Disk {
    /// The latest term it has seen.
    pub term: Term,
    /// Whom it voted for in `term`.
    pub voted_for: Option<NodeId>,
    /// Its log.
    pub log: Log,
}

/// One write to the disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiskWrite {
    /// A new term and the vote in it (`None`: not voted yet).
    Term {
        /// The term.
        term: Term,
        /// The vote.
        voted_for: Option<NodeId>,
    },
    /// The log from `from` on is replaced by `entries`.
    Entries {
        /// The first index written.
        from: Index,
        /// What is written there.
        entries: Vec<Entry>,
    },
}

impl Durable for Disk {
    type Write = DiskWrite;

    fn apply(&mut self, write: &DiskWrite) {
        match write {
            DiskWrite::Term { term, voted_for } => {
                self.term = *term;
                self.voted_for = *voted_for;
            }
            DiskWrite::Entries { from, entries } => self.log.overwrite(*from, entries),
        }
    }
}

impl Describe for DiskWrite {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            DiskWrite::Term { term, voted_for } => {
                d.name("term").u64("term", *term);
                if let Some(v) = voted_for {
                    d.node("voted_for", *v);
                }
            }
            DiskWrite::Entries { from, entries } => {
                d.name("entries")
                    .u64("from", *from)
                    .u64("count", entries.len() as u64);
                if let Some(e) = entries.last() {
                    d.u64("last_term", e.term);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn terms(l: &Log) -> Vec<Term> {
        l.entries().iter().map(|e| e.term).collect()
    }

    #[test]
    fn consistency_check_needs_the_previous_entry_with_its_term() {
        let l = log(&[1, 1, 2]);
        assert!(l.matches(0, 0), "the empty prefix always matches");
        assert!(l.matches(3, 2));
        assert!(!l.matches(3, 1), "same index, other term");
        assert!(!l.matches(4, 2), "past the end");
    }

    #[test]
    fn merge_truncates_at_the_first_conflict_and_keeps_matching_entries() {
        let mut l = log(&[1, 1, 2, 2]);
        // A stale AppendEntries carrying entries already present changes nothing,
        // not even the entries after them.
        assert_eq!(l.merge(1, &log(&[1, 2]).entries), None);
        assert_eq!(terms(&l), vec![1, 1, 2, 2]);
        // A new leader's entry of term 3 at index 3 replaces 3 and everything after.
        assert_eq!(l.merge(2, &log(&[3]).entries), Some(3));
        assert_eq!(terms(&l), vec![1, 1, 3]);
        // Appending past the end.
        assert_eq!(l.merge(3, &log(&[3, 3]).entries), Some(4));
        assert_eq!(terms(&l), vec![1, 1, 3, 3, 3]);
    }

    #[test]
    fn a_vote_needs_a_log_at_least_as_up_to_date() {
        // A later last term wins even when shorter.
        assert!(up_to_date(3, 1, 2, 9));
        // The same last term: at least as long.
        assert!(up_to_date(2, 5, 2, 5));
        assert!(!up_to_date(2, 4, 2, 5));
        // An earlier last term loses even when longer.
        assert!(!up_to_date(1, 9, 2, 1));
    }

    #[test]
    fn a_leader_never_commits_an_earlier_term_entry_by_counting_replicas() {
        // Figure 8 (c): leader of term 4 holds [1, 2] and the term-2 entry at index 2
        // is on 3 of 5 replicas. It must not be committed by counting.
        let l = log(&[1, 2]);
        assert_eq!(commit_index(&l, &[2, 2, 2, 1, 1], 4, 1), 1);
        // Once an entry of term 4 is on a majority, both commit at once.
        let l = log(&[1, 2, 4]);
        assert_eq!(commit_index(&l, &[3, 3, 3, 1, 1], 4, 1), 3);
        // Not on a majority yet: nothing new.
        assert_eq!(commit_index(&l, &[3, 3, 2, 1, 1], 4, 1), 1);
        // An entry of the current term on a majority commits what precedes it.
        let l = log(&[4, 4, 4]);
        assert_eq!(commit_index(&l, &[3, 2, 2], 4, 0), 2);
    }

    #[test]
    fn the_disk_replays_writes_into_the_same_log() {
        let mut disk = Disk::default();
        let mut live = log(&[1, 1, 2]);
        disk.apply(&DiskWrite::Entries {
            from: 1,
            entries: live.entries().to_vec(),
        });
        let from = live.merge(1, &log(&[3]).entries).expect("conflict");
        disk.apply(&DiskWrite::Entries {
            from,
            entries: live.slice(from, usize::MAX).to_vec(),
        });
        disk.apply(&DiskWrite::Term {
            term: 3,
            voted_for: Some(NodeId(2)),
        });
        assert_eq!(disk.log, live);
        assert_eq!((disk.term, disk.voted_for), (3, Some(NodeId(2))));
    }
}
