//! The leader side of a broker of the in-sync-replica model: answering fetches (and
//! telling a divergent follower where to truncate), tracking when each follower was
//! last caught up, proposing ISR shrinks and expansions, moving the high watermark,
//! and appending and acknowledging producers' writes.

use super::broker::{Broker, Replica};
use super::disk::DiskWrite;
use super::wire::{Acks, Answer, Entry, Msg, ReplicaSet};
use super::Isr;
use hasim_sim::{Ctx, NodeId, SimDuration, SimTime};
use std::collections::VecDeque;

/// Entries per fetch reply at most.
const FETCH_BATCH_MAX: usize = 256;

/// What a leader knows of one follower.
#[derive(Clone, Copy, Debug)]
struct Progress {
    node: NodeId,
    /// Its log end offset, from its last consistent fetch.
    leo: u64,
    /// Last time it was caught up (Kafka's lastCaughtUpTimeMs).
    caught_up: SimTime,
    last_fetch: SimTime,
    /// The leader's log end when it answered the previous fetch.
    leo_at_last_fetch: u64,
}

/// A leader's state for one partition.
#[derive(Debug)]
pub(super) struct Lead {
    /// The log end when this leadership began: a follower must reach it to rejoin.
    epoch_start: u64,
    followers: Vec<Progress>,
    /// An ISR change sent to the controller and not yet answered, and when.
    proposed: Option<(ReplicaSet, SimTime)>,
    /// `acks = all` writes waiting for the HW: (offset, producer, op).
    waiting: VecDeque<(u64, NodeId, u64)>,
}

impl Lead {
    /// A new leadership over `replicas` (this broker, `me`, among them), beginning at
    /// log end `leo`: every follower counts as caught up now.
    pub(super) fn new(replicas: &[NodeId], me: NodeId, now: SimTime, leo: u64) -> Self {
        Lead {
            epoch_start: leo,
            followers: replicas
                .iter()
                .filter(|n| **n != me)
                .map(|&node| Progress {
                    node,
                    leo: 0,
                    caught_up: now,
                    last_fetch: now,
                    leo_at_last_fetch: leo,
                })
                .collect(),
            proposed: None,
            waiting: VecDeque::new(),
        }
    }

    /// Forgets an ISR proposal: the controller answered or overrode it.
    pub(super) fn settle(&mut self) {
        self.proposed = None;
    }
}

impl Broker {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_fetch(
        &mut self,
        ctx: &mut impl Ctx<Isr>,
        follower: NodeId,
        partition: u32,
        epoch: u32,
        offset: u64,
        last_epoch: u32,
    ) {
        let now = ctx.now();
        let controller = self.active;
        let Some(r) = self.partitions.get_mut(partition as usize) else {
            return;
        };
        if r.state.leader_epoch != epoch {
            return;
        }
        let consistent =
            offset <= r.leo() && (offset == 0 || r.log[offset as usize - 1].epoch == last_epoch);
        if r.lead.is_none() {
            return;
        }
        if !consistent {
            // Strictly below the follower's offset, so every round shortens its log.
            let to = r.end_offset_for(last_epoch).min(offset - 1);
            let leader_epoch = epoch;
            ctx.send(
                follower,
                Msg::Diverged {
                    partition,
                    leader_epoch,
                    to,
                },
            );
            return;
        }
        let leo = r.leo();
        let high_watermark = r.high_watermark;
        let Some(lead) = r.lead.as_mut() else {
            return;
        };
        let Some(f) = lead.followers.iter_mut().find(|f| f.node == follower) else {
            return;
        };
        f.leo = offset;
        if offset >= leo {
            f.caught_up = now;
        } else if offset >= f.leo_at_last_fetch {
            f.caught_up = f.last_fetch;
        }
        f.last_fetch = now;
        f.leo_at_last_fetch = leo;
        if !r.state.isr.contains(follower)
            && lead.proposed.is_none()
            && offset >= high_watermark.max(lead.epoch_start)
        {
            let proposal = r.state.isr.with(follower);
            lead.proposed = Some((proposal, now));
            ctx.send(
                controller,
                Msg::AlterIsr {
                    partition,
                    leader_epoch: epoch,
                    isr: proposal,
                },
            );
        }
        advance_high_watermark(r, ctx);
        let end = (offset as usize + FETCH_BATCH_MAX).min(r.log.len());
        let entries = r.log[offset as usize..end].to_vec();
        ctx.send(
            follower,
            Msg::FetchReply {
                partition,
                leader_epoch: epoch,
                offset,
                entries,
                high_watermark: r.high_watermark,
            },
        );
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_produce(
        &mut self,
        isr: &Isr,
        ctx: &mut impl Ctx<Isr>,
        producer: NodeId,
        op: u64,
        key: u32,
        value: u64,
        acks: Acks,
    ) {
        let me = ctx.id();
        let partition = isr.partition_of(key);
        let r = &mut self.partitions[partition as usize];
        let answer = match r.lead.as_mut() {
            None => Some(Answer::NotLeader(r.state.leader.filter(|l| *l != me))),
            Some(_)
                if acks == Acks::All
                    && r.state.isr.len() < isr.broker_params().min_insync_replicas =>
            {
                Some(Answer::NotEnoughReplicas)
            }
            Some(lead) => {
                let entry = Entry {
                    epoch: r.state.leader_epoch,
                    key,
                    value,
                };
                let offset = r.log.len() as u64;
                ctx.persist(DiskWrite::Append { partition, entry });
                r.log.push(entry);
                match acks {
                    Acks::Leader => Some(Answer::Written),
                    Acks::All => {
                        lead.waiting.push_back((offset, producer, op));
                        None
                    }
                }
            }
        };
        match answer {
            Some(answer) => ctx.send(producer, Msg::Reply { op, answer }),
            None => advance_high_watermark(r, ctx),
        }
    }

    /// A leader drops followers that have not caught up within
    /// `replica_lag_time_max`, and retries an ISR proposal left unanswered.
    pub(super) fn check_lag(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>, partition: u32) {
        let now = ctx.now();
        let params = isr.broker_params();
        let controller = self.active;
        let r = &mut self.partitions[partition as usize];
        let Some(lead) = r.lead.as_mut() else {
            return;
        };
        if let Some((_, sent)) = lead.proposed {
            if now.saturating_since(sent) < isr_check_period(isr) {
                return;
            }
            lead.proposed = None;
        }
        let laggards = lead
            .followers
            .iter()
            .filter(|f| now.saturating_since(f.caught_up) > params.replica_lag_time_max)
            .fold(ReplicaSet::EMPTY, |s, f| s.with(f.node));
        let shrunk = ReplicaSet(r.state.isr.0 & !laggards.0);
        if shrunk != r.state.isr {
            lead.proposed = Some((shrunk, now));
            ctx.send(
                controller,
                Msg::AlterIsr {
                    partition,
                    leader_epoch: r.state.leader_epoch,
                    isr: shrunk,
                },
            );
        }
    }
}

/// How often leaders look for lagging followers (Kafka: half the lag bound).
pub(super) fn isr_check_period(isr: &Isr) -> SimDuration {
    let lag = isr.broker_params().replica_lag_time_max;
    SimDuration::from_nanos((lag.as_nanos() / 2).max(1))
}

/// Moves a leader's high watermark to the least log end over the ISR and any member
/// proposed but not yet committed (Kafka's maximal ISR), and answers the `acks = all`
/// writes now below it.
pub(super) fn advance_high_watermark(r: &mut Replica, ctx: &mut impl Ctx<Isr>) {
    let leo = r.log.len() as u64;
    let Some(lead) = r.lead.as_mut() else {
        return;
    };
    let members = ReplicaSet(r.state.isr.0 | lead.proposed.map_or(0, |(s, _)| s.0));
    let least = lead
        .followers
        .iter()
        .filter(|f| members.contains(f.node))
        .map(|f| f.leo)
        .fold(leo, u64::min);
    if least > r.high_watermark {
        r.high_watermark = least;
    }
    while let Some(&(offset, producer, op)) = lead.waiting.front() {
        if offset >= r.high_watermark {
            break;
        }
        lead.waiting.pop_front();
        ctx.send(
            producer,
            Msg::Reply {
                op,
                answer: Answer::Written,
            },
        );
    }
}
