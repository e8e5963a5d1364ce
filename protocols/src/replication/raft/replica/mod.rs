//! A Raft replica: follower, candidate or leader, with its log, its durable term and
//! vote, and the key-value state machine it applies committed entries to.

mod leader;

use crate::replication::history::{Key, OpKind, Value};
use crate::replication::raft::log::{
    up_to_date, Command, Disk, DiskWrite, Entry, Index, Log, Term,
};
use crate::replication::raft::message::{Msg, Observation, Timer};
use crate::replication::raft::Raft;
use hasim_sim::{Ctx, NodeId, SimDuration, SimTime, TimerId};
use std::collections::BTreeMap;

/// A replica's role, as views and traces name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RoleName {
    /// Follows a leader (or waits for one).
    Follower,
    /// Asks for votes.
    Candidate,
    /// Leads its term.
    Leader,
}

/// A client operation the leader appended and owes an answer to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Owed {
    client: NodeId,
    op: u64,
    attempt: u32,
}

/// What the leader tracks of its followers, by position in the replica list.
#[derive(Debug)]
struct Leadership {
    next_index: Vec<Index>,
    match_index: Vec<Index>,
    /// When each replica last answered (local clock), for `check_quorum`.
    heard: Vec<SimTime>,
    owed: BTreeMap<Index, Owed>,
    heartbeat: TimerId,
}

#[derive(Debug)]
enum Role {
    Follower { leader: Option<NodeId> },
    Candidate { granted: Vec<NodeId> },
    Leader(Leadership),
}

/// A replica's volatile state (term, vote and log mirror its durable image).
#[derive(Debug)]
pub struct Replica {
    me: usize,
    term: Term,
    voted_for: Option<NodeId>,
    log: Log,
    role: Role,
    commit: Index,
    applied: Index,
    kv: BTreeMap<Key, Value>,
    /// The last operation applied per client, so a retried duplicate applies once.
    last_op: BTreeMap<NodeId, u64>,
    election: Option<TimerId>,
}

impl Replica {
    /// Starts (or restarts) from the durable term, vote and log.
    pub fn start(p: &Raft, ctx: &mut impl Ctx<Raft>, disk: &Disk) -> Self {
        let me = p
            .replicas()
            .iter()
            .position(|&r| r == ctx.id())
            .unwrap_or(0);
        let mut r = Replica {
            me,
            term: disk.term,
            voted_for: disk.voted_for,
            log: disk.log.clone(),
            role: Role::Follower { leader: None },
            commit: 0,
            applied: 0,
            kv: BTreeMap::new(),
            last_op: BTreeMap::new(),
            election: None,
        };
        r.reset_election(p, ctx);
        r
    }

    /// Follower, candidate or leader.
    pub fn role_name(&self) -> RoleName {
        match self.role {
            Role::Follower { .. } => RoleName::Follower,
            Role::Candidate { .. } => RoleName::Candidate,
            Role::Leader(_) => RoleName::Leader,
        }
    }

    /// The current term.
    pub fn term(&self) -> Term {
        self.term
    }

    /// The vote in the current term.
    pub fn voted_for(&self) -> Option<NodeId> {
        self.voted_for
    }

    /// The commit index.
    pub fn commit(&self) -> Index {
        self.commit
    }

    /// The log.
    pub fn log(&self) -> &Log {
        &self.log
    }

    /// The state machine: each key's value (absent: the initial 0).
    pub fn values(&self) -> &BTreeMap<Key, Value> {
        &self.kv
    }

    /// The leader this replica knows of (itself when leading).
    pub fn leader(&self, p: &Raft) -> Option<NodeId> {
        match self.role {
            Role::Follower { leader } => leader,
            Role::Candidate { .. } => None,
            Role::Leader(_) => Some(p.replicas()[self.me]),
        }
    }

    fn majority(p: &Raft) -> usize {
        p.replicas().len() / 2 + 1
    }

    fn persist(p: &Raft, ctx: &mut impl Ctx<Raft>, write: DiskWrite) {
        if p.params.sync {
            ctx.persist_synced(write);
        } else {
            ctx.persist(write);
        }
    }

    fn persist_term(&self, p: &Raft, ctx: &mut impl Ctx<Raft>) {
        let write = DiskWrite::Term {
            term: self.term,
            voted_for: self.voted_for,
        };
        Self::persist(p, ctx, write);
    }

    fn reset_election(&mut self, p: &Raft, ctx: &mut impl Ctx<Raft>) {
        if let Some(t) = self.election.take() {
            ctx.cancel_timer(t);
        }
        let (min, max) = (p.params.election_timeout_min, p.params.election_timeout_max);
        let after = SimDuration::from_nanos(ctx.rng().between(min.as_nanos(), max.as_nanos()));
        self.election = Some(ctx.set_timer(after, Timer::Election));
    }

    /// Becomes a follower of `leader` (if known). A leader stepping down tells the
    /// clients it owes answers that the outcome is unknown.
    fn follow(&mut self, p: &Raft, ctx: &mut impl Ctx<Raft>, leader: Option<NodeId>) {
        let old = std::mem::replace(&mut self.role, Role::Follower { leader });
        if let Role::Leader(l) = old {
            ctx.cancel_timer(l.heartbeat);
            ctx.observe(Observation::SteppedDown { term: self.term });
            for owed in l.owed.values() {
                let msg = Msg::Redirect {
                    op: owed.op,
                    attempt: owed.attempt,
                    leader,
                    accepted: true,
                };
                ctx.send(owed.client, msg);
            }
            self.reset_election(p, ctx);
        }
    }

    /// Any message with a higher term makes this replica a follower of that term.
    fn observe_term(&mut self, p: &Raft, ctx: &mut impl Ctx<Raft>, term: Term) {
        if self.adopt_term(p, ctx, term) {
            self.persist_term(p, ctx);
        }
    }

    /// [`Self::observe_term`] without the write, for a caller that writes the term
    /// together with a vote. Whether the term was newer.
    fn adopt_term(&mut self, p: &Raft, ctx: &mut impl Ctx<Raft>, term: Term) -> bool {
        if term <= self.term {
            return false;
        }
        self.term = term;
        self.voted_for = None;
        self.follow(p, ctx, None);
        true
    }

    /// Handles a message.
    pub fn on_message(&mut self, p: &Raft, ctx: &mut impl Ctx<Raft>, source: NodeId, msg: Msg) {
        let before = (self.term, self.voted_for);
        self.handle(p, ctx, source, msg);
        self.assert_invariants(ctx, before);
    }

    /// The promises of the module header that one replica can check alone, after every
    /// event: the term never goes back, a vote once given stands for its term (one vote
    /// per term), a leader voted for itself, and commit ≤ last index, applied ≤ commit,
    /// the last entry's term ≤ the current term. Cheap (no walk over the log); a
    /// violation is a bug in this model, and in a sweep a failing seed with its replay.
    fn assert_invariants(&self, ctx: &impl Ctx<Raft>, before: (Term, Option<NodeId>)) {
        let (term, voted_for) = before;
        let at = |what: &str| format!("raft {} at {}: {what}", ctx.id(), ctx.now());
        assert!(self.term >= term, "{}", at("the term went back"));
        assert!(
            self.term != term || voted_for.is_none() || self.voted_for == voted_for,
            "{}",
            at("a second vote in one term")
        );
        assert!(
            !matches!(self.role, Role::Leader(_)) || self.voted_for == Some(ctx.id()),
            "{}",
            at("a leader that did not vote for itself")
        );
        assert!(
            self.commit <= self.log.last_index(),
            "{}",
            at("commit index beyond the log")
        );
        assert!(
            self.applied <= self.commit,
            "{}",
            at("applied beyond commit")
        );
        assert!(
            self.log.last_term() <= self.term,
            "{}",
            at("an entry of a future term")
        );
    }

    fn handle(&mut self, p: &Raft, ctx: &mut impl Ctx<Raft>, source: NodeId, msg: Msg) {
        match msg {
            Msg::RequestVote {
                term,
                last_index,
                last_term,
            } => {
                let newer = self.adopt_term(p, ctx, term);
                let granted = term == self.term
                    && self.voted_for.is_none_or(|v| v == source)
                    && up_to_date(
                        last_term,
                        last_index,
                        self.log.last_term(),
                        self.log.last_index(),
                    );
                if granted {
                    self.voted_for = Some(source);
                    self.reset_election(p, ctx);
                }
                // One synced write of the new term and the vote, before the answer.
                if newer || granted {
                    self.persist_term(p, ctx);
                }
                let term = self.term;
                ctx.send(source, Msg::Vote { term, granted });
            }
            Msg::Vote { term, granted } => {
                self.observe_term(p, ctx, term);
                if let Role::Candidate { granted: votes } = &mut self.role {
                    if granted && term == self.term && !votes.contains(&source) {
                        votes.push(source);
                        if votes.len() >= Self::majority(p) {
                            self.lead(p, ctx);
                        }
                    }
                }
            }
            Msg::AppendEntries {
                term,
                prev_index,
                prev_term,
                entries,
                commit,
            } => self.on_append(
                p, ctx, source, term, prev_index, prev_term, &entries, commit,
            ),
            Msg::Appended {
                term,
                success,
                index,
            } => self.on_appended(p, ctx, source, term, success, index),
            Msg::Request {
                op,
                attempt,
                key,
                kind,
            } => self.on_request(p, ctx, source, op, attempt, key, kind),
            Msg::Reply { .. } | Msg::Redirect { .. } => {}
        }
    }

    /// Handles a timer.
    pub fn on_timer(&mut self, p: &Raft, ctx: &mut impl Ctx<Raft>, timer: Timer) {
        let before = (self.term, self.voted_for);
        self.fire(p, ctx, timer);
        self.assert_invariants(ctx, before);
    }

    fn fire(&mut self, p: &Raft, ctx: &mut impl Ctx<Raft>, timer: Timer) {
        match timer {
            Timer::Election => {
                self.election = None;
                if !matches!(self.role, Role::Leader(_)) {
                    self.campaign(p, ctx);
                }
            }
            Timer::Heartbeat => self.heartbeat(p, ctx),
            _ => {}
        }
    }

    fn campaign(&mut self, p: &Raft, ctx: &mut impl Ctx<Raft>) {
        self.term += 1;
        let me = p.replicas()[self.me];
        self.voted_for = Some(me);
        self.persist_term(p, ctx);
        ctx.observe(Observation::Election { term: self.term });
        self.role = Role::Candidate { granted: vec![me] };
        self.reset_election(p, ctx);
        if Self::majority(p) == 1 {
            self.lead(p, ctx);
            return;
        }
        let msg = Msg::RequestVote {
            term: self.term,
            last_index: self.log.last_index(),
            last_term: self.log.last_term(),
        };
        for &r in p.replicas() {
            if r != me {
                ctx.send(r, msg.clone());
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_append(
        &mut self,
        p: &Raft,
        ctx: &mut impl Ctx<Raft>,
        source: NodeId,
        term: Term,
        prev_index: Index,
        prev_term: Term,
        entries: &[Entry],
        commit: Index,
    ) {
        self.observe_term(p, ctx, term);
        if term < self.term {
            let msg = Msg::Appended {
                term: self.term,
                success: false,
                index: self.log.last_index(),
            };
            ctx.send(source, msg);
            return;
        }
        // A current leader exists: a candidate of this term gives up.
        self.follow(p, ctx, Some(source));
        self.reset_election(p, ctx);
        if !self.log.matches(prev_index, prev_term) {
            let msg = Msg::Appended {
                term: self.term,
                success: false,
                index: self.log.last_index(),
            };
            ctx.send(source, msg);
            return;
        }
        if let Some(from) = self.log.merge(prev_index, entries) {
            let write = DiskWrite::Entries {
                from,
                entries: self.log.slice(from, usize::MAX).to_vec(),
            };
            Self::persist(p, ctx, write);
        }
        // Only what this message vouches for is known to match the leader.
        let matched = prev_index + entries.len() as Index;
        if commit > self.commit {
            self.commit = self.commit.max(commit.min(matched));
            self.apply(ctx);
        }
        let msg = Msg::Appended {
            term: self.term,
            success: true,
            index: matched,
        };
        ctx.send(source, msg);
    }

    /// Applies committed entries in order; the leader answers the clients it owes.
    fn apply(&mut self, ctx: &mut impl Ctx<Raft>) {
        while self.applied < self.commit {
            self.applied += 1;
            let index = self.applied;
            let Some(&entry) = self.log.get(index) else {
                break;
            };
            ctx.observe(Observation::Applied {
                index,
                term: entry.term,
                command: entry.command,
            });
            let Command::Op {
                client,
                op,
                key,
                kind,
            } = entry.command
            else {
                continue;
            };
            let fresh = self.last_op.get(&client).is_none_or(|&last| op > last);
            if fresh {
                self.last_op.insert(client, op);
                if let OpKind::Write(v) = kind {
                    self.kv.insert(key, v);
                }
            }
            let value = match kind {
                OpKind::Read => Some(self.kv.get(&key).copied().unwrap_or(0)),
                OpKind::Write(_) => None,
            };
            if let Role::Leader(l) = &mut self.role {
                if let Some(owed) = l.owed.remove(&index) {
                    if owed.client == client && owed.op == op {
                        ctx.send(client, Msg::Reply { op, value });
                    }
                }
            }
        }
    }
}
