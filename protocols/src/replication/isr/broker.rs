//! A broker of the in-sync-replica model: for each partition it hosts, a leader
//! (appends, answers fetches, moves the high watermark, proposes ISR changes, answers
//! producers) or a follower (fetches, appends, truncates on divergence); for every
//! partition, the controller's latest word on who leads it. The first broker runs the
//! controller instead (see `controller.rs`).

use super::controller::Controller;
use super::wire::{Acks, Answer, Disk, DiskWrite, Entry, Msg, Observation, PartitionState};
use super::wire::{ReplicaSet, Timer};
use super::Isr;
use hasim_sim::{Ctx, NodeId, SimTime};
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
struct Lead {
    /// The log end when this leadership began: a follower must reach it to rejoin.
    epoch_start: u64,
    followers: Vec<Progress>,
    /// An ISR change sent to the controller and not yet answered, and when.
    proposed: Option<(ReplicaSet, SimTime)>,
    /// `acks = all` writes waiting for the HW: (offset, producer, op).
    waiting: VecDeque<(u64, NodeId, u64)>,
}

/// One partition as this broker sees it.
#[derive(Debug)]
struct Replica {
    hosted: bool,
    log: Vec<Entry>,
    state: PartitionState,
    high_watermark: u64,
    lead: Option<Lead>,
}

impl Replica {
    fn leo(&self) -> u64 {
        self.log.len() as u64
    }

    fn last_epoch(&self) -> u32 {
        self.log.last().map_or(0, |e| e.epoch)
    }

    /// The end offset of the largest epoch at most `epoch` in this log (epochs never
    /// decrease along a log, so that is where entries of later epochs begin).
    fn end_offset_for(&self, epoch: u32) -> u64 {
        self.log.partition_point(|e| e.epoch <= epoch) as u64
    }
}

/// A broker's volatile state.
#[derive(Debug)]
pub struct Broker {
    partitions: Vec<Replica>,
    controller: Option<Controller>,
}

impl Broker {
    /// Starts (or restarts) a broker from its disk.
    pub fn start(isr: &Isr, ctx: &mut Ctx<'_, Isr>, disk: &Disk) -> Self {
        let me = ctx.id();
        let partitions = (0..isr.partitions())
            .map(|p| Replica {
                hosted: isr.replicas(p).contains(&me),
                log: disk.log(p).to_vec(),
                state: PartitionState {
                    partition: p,
                    ..PartitionState::default()
                },
                high_watermark: 0,
                lead: None,
            })
            .collect();
        let controller = if me == isr.controller() {
            Some(Controller::start(isr, ctx, disk))
        } else {
            let params = isr.broker_params();
            ctx.set_timer(params.heartbeat_interval, Timer::Heartbeat);
            ctx.set_timer(params.fetch_interval, Timer::Fetch);
            ctx.set_timer(isr_check_period(isr), Timer::IsrCheck);
            None
        };
        let broker = Broker {
            partitions,
            controller,
        };
        if broker.controller.is_none() {
            broker.heartbeat(isr, ctx);
        }
        broker
    }

    /// Its log of `partition` (empty if it hosts none).
    pub fn log(&self, partition: u32) -> &[Entry] {
        self.partitions
            .get(partition as usize)
            .map_or(&[], |r| r.log.as_slice())
    }

    /// The partitions this broker acts as leader of, as a bitmask.
    pub fn leads(&self) -> u64 {
        self.partitions
            .iter()
            .enumerate()
            .filter(|(_, r)| r.lead.is_some())
            .fold(0, |m, (p, _)| m | 1 << p)
    }

    /// Handles a timer.
    pub fn on_timer(&mut self, isr: &Isr, ctx: &mut Ctx<'_, Isr>, timer: Timer) {
        if let Some(c) = self.controller.as_mut() {
            c.on_timer(isr, ctx, timer);
            return;
        }
        let params = isr.broker_params();
        match timer {
            Timer::Heartbeat => {
                self.heartbeat(isr, ctx);
                ctx.set_timer(params.heartbeat_interval, Timer::Heartbeat);
            }
            Timer::Fetch => {
                for (p, r) in self.partitions.iter().enumerate() {
                    match r.state.leader {
                        Some(leader) if r.hosted && leader != ctx.id() && r.lead.is_none() => {
                            ctx.send(
                                leader,
                                Msg::Fetch {
                                    partition: p as u32,
                                    leader_epoch: r.state.leader_epoch,
                                    offset: r.leo(),
                                    last_epoch: r.last_epoch(),
                                },
                            );
                        }
                        _ => {}
                    }
                }
                ctx.set_timer(params.fetch_interval, Timer::Fetch);
            }
            Timer::IsrCheck => {
                for p in 0..self.partitions.len() {
                    self.check_lag(isr, ctx, p as u32);
                }
                ctx.set_timer(isr_check_period(isr), Timer::IsrCheck);
            }
            _ => {}
        }
    }

    /// Handles a message.
    pub fn on_message(&mut self, isr: &Isr, ctx: &mut Ctx<'_, Isr>, source: NodeId, msg: Msg) {
        if let Some(c) = self.controller.as_mut() {
            c.on_message(isr, ctx, source, msg);
            return;
        }
        match msg {
            Msg::LeaderAndIsr(state) if source == isr.controller() => {
                self.on_state(isr, ctx, state)
            }
            Msg::Fetch {
                partition,
                leader_epoch,
                offset,
                last_epoch,
            } => self.on_fetch(
                isr,
                ctx,
                source,
                partition,
                leader_epoch,
                offset,
                last_epoch,
            ),
            Msg::FetchReply {
                partition,
                leader_epoch,
                offset,
                entries,
                high_watermark,
            } => {
                let Some(r) = self.following(partition, source, leader_epoch) else {
                    return;
                };
                if offset != r.leo() {
                    return;
                }
                for entry in entries {
                    ctx.persist(DiskWrite::Append { partition, entry });
                    r.log.push(entry);
                }
                r.high_watermark = high_watermark.min(r.leo());
            }
            Msg::Diverged {
                partition,
                leader_epoch,
                to,
            } => {
                let Some(r) = self.following(partition, source, leader_epoch) else {
                    return;
                };
                if to < r.leo() {
                    let from = r.leo();
                    ctx.persist(DiskWrite::Truncate { partition, len: to });
                    r.log.truncate(to as usize);
                    r.high_watermark = r.high_watermark.min(to);
                    ctx.observe(Observation::Truncated {
                        partition,
                        from,
                        to,
                    });
                }
            }
            Msg::Produce {
                op,
                key,
                value,
                acks,
            } => self.on_produce(isr, ctx, source, op, key, value, acks),
            Msg::Consume { op, key } => {
                let r = &self.partitions[isr.partition_of(key) as usize];
                let answer = if r.lead.is_some() {
                    let committed = &r.log[..r.high_watermark as usize];
                    let latest = committed.iter().rev().find(|e| e.key == key);
                    Answer::Read(latest.map_or(0, |e| e.value))
                } else {
                    Answer::NotLeader(r.state.leader.filter(|l| *l != ctx.id()))
                };
                ctx.send(source, Msg::Reply { op, answer });
            }
            Msg::Metadata { partition } => {
                if let Some(r) = self.partitions.get(partition as usize) {
                    let leader = r.state.leader;
                    ctx.send(source, Msg::MetadataReply { partition, leader });
                }
            }
            _ => {}
        }
    }

    fn heartbeat(&self, isr: &Isr, ctx: &mut Ctx<'_, Isr>) {
        let digest = self
            .partitions
            .iter()
            .map(|r| u64::from(r.state.partition_epoch))
            .sum();
        ctx.send(isr.controller(), Msg::Heartbeat { digest });
    }

    /// The replica of `partition` if this broker follows `leader` in `epoch` there.
    fn following(&mut self, partition: u32, leader: NodeId, epoch: u32) -> Option<&mut Replica> {
        self.partitions.get_mut(partition as usize).filter(|r| {
            r.hosted
                && r.lead.is_none()
                && r.state.leader == Some(leader)
                && r.state.leader_epoch == epoch
        })
    }

    /// The controller's word on a partition: take up or give up leadership.
    fn on_state(&mut self, isr: &Isr, ctx: &mut Ctx<'_, Isr>, state: PartitionState) {
        let me = ctx.id();
        let now = ctx.now();
        let Some(r) = self.partitions.get_mut(state.partition as usize) else {
            return;
        };
        if state.partition_epoch <= r.state.partition_epoch {
            return;
        }
        let new_epoch = state.leader_epoch != r.state.leader_epoch;
        r.state = state;
        if state.leader != Some(me) || !r.hosted {
            // Writes waiting for acks stay unanswered: their producers time out, as
            // their fate is unknown.
            r.lead = None;
            return;
        }
        if r.lead.is_none() || new_epoch {
            let leo = r.leo();
            r.lead = Some(Lead {
                epoch_start: leo,
                followers: isr
                    .replicas(state.partition)
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
            });
            ctx.observe(Observation::BecameLeader {
                partition: state.partition,
                epoch: state.leader_epoch,
            });
        } else if let Some(lead) = r.lead.as_mut() {
            // The controller answered (or overrode) an ISR proposal.
            lead.proposed = None;
        }
        advance_high_watermark(r, ctx);
    }

    #[allow(clippy::too_many_arguments)]
    fn on_fetch(
        &mut self,
        isr: &Isr,
        ctx: &mut Ctx<'_, Isr>,
        follower: NodeId,
        partition: u32,
        epoch: u32,
        offset: u64,
        last_epoch: u32,
    ) {
        let now = ctx.now();
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
                isr.controller(),
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
    fn on_produce(
        &mut self,
        isr: &Isr,
        ctx: &mut Ctx<'_, Isr>,
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
    fn check_lag(&mut self, isr: &Isr, ctx: &mut Ctx<'_, Isr>, partition: u32) {
        let now = ctx.now();
        let params = isr.broker_params();
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
                isr.controller(),
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
fn isr_check_period(isr: &Isr) -> hasim_sim::SimDuration {
    let lag = isr.broker_params().replica_lag_time_max;
    hasim_sim::SimDuration::from_nanos((lag.as_nanos() / 2).max(1))
}

/// Moves a leader's high watermark to the least log end over the ISR and any member
/// proposed but not yet committed (Kafka's maximal ISR), and answers the `acks = all`
/// writes now below it.
fn advance_high_watermark(r: &mut Replica, ctx: &mut Ctx<'_, Isr>) {
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
