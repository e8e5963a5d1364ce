//! The leader's half of a replica: taking office with a no-op, replicating the log
//! from each follower's `next_index`, heartbeats with check-quorum, answers to
//! AppendEntries, client requests, and the commit rule.

use super::{Leadership, Owed, Replica, Role};
use crate::replication::history::{Key, OpKind};
use crate::replication::raft::log::{commit_index, Command, DiskWrite, Entry, Index, Term};
use crate::replication::raft::message::{Msg, Observation, Timer};
use crate::replication::raft::Raft;
use hasim_sim::{Ctx, NodeId};
use std::collections::BTreeMap;

impl Replica {
    pub(super) fn lead(&mut self, p: &Raft, ctx: &mut impl Ctx<Raft>) {
        if let Some(t) = self.election.take() {
            ctx.cancel_timer(t);
        }
        ctx.observe(Observation::Leader { term: self.term });
        let n = p.replicas().len();
        let heartbeat = ctx.set_timer(p.params.heartbeat, Timer::Heartbeat);
        self.role = Role::Leader(Leadership {
            next_index: vec![self.log.last_index() + 1; n],
            match_index: vec![0; n],
            heard: vec![ctx.now(); n],
            owed: BTreeMap::new(),
            heartbeat,
        });
        // The no-op of the new term: committing it commits every earlier entry.
        self.append(p, ctx, Command::Noop);
        self.replicate(p, ctx, |_, _| true);
    }

    /// Appends a command of the current term to the leader's own log.
    pub(super) fn append(&mut self, p: &Raft, ctx: &mut impl Ctx<Raft>, command: Command) -> Index {
        let entry = Entry {
            term: self.term,
            command,
        };
        let index = self.log.push(entry);
        Self::persist(
            p,
            ctx,
            DiskWrite::Entries {
                from: index,
                entries: vec![entry],
            },
        );
        if let Role::Leader(l) = &mut self.role {
            l.match_index[self.me] = index;
        }
        self.advance_commit(p, ctx);
        index
    }

    /// Sends AppendEntries to every other replica `to(position, next_index)` selects.
    pub(super) fn replicate(
        &self,
        p: &Raft,
        ctx: &mut impl Ctx<Raft>,
        to: impl Fn(usize, Index) -> bool,
    ) {
        let Role::Leader(l) = &self.role else {
            return;
        };
        for (i, &r) in p.replicas().iter().enumerate() {
            if i != self.me && to(i, l.next_index[i]) {
                self.send_append(p, ctx, r, l.next_index[i]);
            }
        }
    }

    pub(super) fn send_append(
        &self,
        p: &Raft,
        ctx: &mut impl Ctx<Raft>,
        target: NodeId,
        next: Index,
    ) {
        let prev_index = next - 1;
        let msg = Msg::AppendEntries {
            term: self.term,
            prev_index,
            prev_term: self.log.term_at(prev_index).unwrap_or(0),
            entries: self.log.slice(next, p.params.entries_max as usize).to_vec(),
            commit: self.commit,
        };
        ctx.send(target, msg);
    }

    pub(super) fn heartbeat(&mut self, p: &Raft, ctx: &mut impl Ctx<Raft>) {
        let now = ctx.now();
        let Role::Leader(l) = &mut self.role else {
            return;
        };
        l.heartbeat = ctx.set_timer(p.params.heartbeat, Timer::Heartbeat);
        l.heard[self.me] = now;
        let window = p.params.election_timeout_min;
        let recent = l
            .heard
            .iter()
            .filter(|&&t| now.saturating_since(t) <= window)
            .count();
        if p.params.check_quorum && recent < Self::majority(p) {
            self.follow(p, ctx, None);
            return;
        }
        self.replicate(p, ctx, |_, _| true);
    }

    pub(super) fn on_appended(
        &mut self,
        p: &Raft,
        ctx: &mut impl Ctx<Raft>,
        source: NodeId,
        term: Term,
        success: bool,
        index: Index,
    ) {
        self.observe_term(p, ctx, term);
        let now = ctx.now();
        let Role::Leader(l) = &mut self.role else {
            return;
        };
        let Some(i) = p.replicas().iter().position(|&r| r == source) else {
            return;
        };
        if term != self.term {
            return;
        }
        l.heard[i] = now;
        if success {
            l.match_index[i] = l.match_index[i].max(index);
            l.next_index[i] = l.next_index[i].max(l.match_index[i] + 1);
        } else {
            let backed = l.next_index[i].saturating_sub(1).min(index + 1);
            l.next_index[i] = backed.max(l.match_index[i] + 1).max(1);
        }
        let next = l.next_index[i];
        if !success || next <= self.log.last_index() {
            self.send_append(p, ctx, source, next);
        }
        self.advance_commit(p, ctx);
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_request(
        &mut self,
        p: &Raft,
        ctx: &mut impl Ctx<Raft>,
        source: NodeId,
        op: u64,
        attempt: u32,
        key: Key,
        kind: OpKind,
    ) {
        if !matches!(self.role, Role::Leader(_)) {
            let msg = Msg::Redirect {
                op,
                attempt,
                leader: self.leader(p),
                accepted: false,
            };
            ctx.send(source, msg);
            return;
        }
        let command = Command::Op {
            client: source,
            op,
            key,
            kind,
        };
        let index = self.log.last_index() + 1;
        if let Role::Leader(l) = &mut self.role {
            let owed = Owed {
                client: source,
                op,
                attempt,
            };
            l.owed.insert(index, owed);
        }
        self.append(p, ctx, command);
        // Followers already up to date get the entry now; the others get it as
        // their earlier appends are answered.
        self.replicate(p, ctx, |_, next| next == index);
    }

    pub(super) fn advance_commit(&mut self, p: &Raft, ctx: &mut impl Ctx<Raft>) {
        let Role::Leader(l) = &self.role else {
            return;
        };
        let _ = p;
        let commit = commit_index(&self.log, &l.match_index, self.term, self.commit);
        if commit > self.commit {
            self.commit = commit;
            self.apply(ctx);
        }
    }
}
