//! A broker of the in-sync-replica model: for each partition it hosts, a leader
//! (appends, answers fetches, moves the high watermark, proposes ISR changes, answers
//! producers) or a follower (fetches, appends, truncates on divergence); for every
//! partition, the controller's latest word on who leads it. A controller node runs the
//! controller instead (see `controller/`); the leader side is in `leader.rs`.

use super::controller::Controller;
use super::disk::{Disk, DiskWrite};
use super::leader::{advance_high_watermark, isr_check_period, Lead};
use super::liveness::{self, Liveness};
use super::wire::{Answer, Entry, Msg, Observation, PartitionState, Timer};
use super::Isr;
use hasim_sim::{Ctx, NodeId};

/// One partition as this broker sees it.
#[derive(Debug)]
pub(super) struct Replica {
    pub(super) hosted: bool,
    pub(super) log: Vec<Entry>,
    pub(super) state: PartitionState,
    pub(super) high_watermark: u64,
    pub(super) lead: Option<Lead>,
}

impl Replica {
    pub(super) fn leo(&self) -> u64 {
        self.log.len() as u64
    }

    pub(super) fn last_epoch(&self) -> u32 {
        self.log.last().map_or(0, |e| e.epoch)
    }

    /// The end offset of the largest epoch at most `epoch` in this log (epochs never
    /// decrease along a log, so that is where entries of later epochs begin).
    pub(super) fn end_offset_for(&self, epoch: u32) -> u64 {
        self.log.partition_point(|e| e.epoch <= epoch) as u64
    }
}

/// A broker's volatile state.
#[derive(Debug)]
pub struct Broker {
    pub(super) partitions: Vec<Replica>,
    controller: Option<Controller>,
    /// The active controller as far as this broker knows, and its controller epoch:
    /// where ISR changes go, and the oldest epoch whose records it still takes.
    pub(super) active: NodeId,
    controller_epoch: u32,
    /// The detector (a broker only runs it: the controllers act on it).
    liveness: Liveness,
}

impl Broker {
    /// Starts (or restarts) a broker from its disk.
    pub fn start(isr: &Isr, ctx: &mut impl Ctx<Isr>, disk: &Disk) -> Self {
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
        let controller = if isr.is_controller(me) {
            Some(Controller::start(isr, ctx, disk))
        } else {
            let params = isr.broker_params();
            ctx.set_timer(params.heartbeat_interval, Timer::Heartbeat);
            ctx.set_timer(params.fetch_interval, Timer::Fetch);
            ctx.set_timer(isr_check_period(isr), Timer::IsrCheck);
            None
        };
        let mut broker = Broker {
            partitions,
            controller,
            active: isr.controller(),
            controller_epoch: 0,
            liveness: None,
        };
        if broker.controller.is_none() {
            broker.heartbeat(isr, ctx);
            broker.liveness = liveness::start(isr, ctx);
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
    pub fn on_timer(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>, timer: Timer) {
        if let Some(c) = self.controller.as_mut() {
            c.on_timer(isr, ctx, timer);
            return;
        }
        let params = isr.broker_params();
        match timer {
            Timer::Detector(t) => {
                liveness::on_timer(isr, ctx, &mut self.liveness, t);
            }
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
    pub fn on_message(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>, source: NodeId, msg: Msg) {
        if let Some(c) = self.controller.as_mut() {
            c.on_message(isr, ctx, source, msg);
            return;
        }
        match msg {
            Msg::Detector(m) => {
                liveness::on_message(isr, ctx, &mut self.liveness, source, m);
            }
            Msg::LeaderAndIsr(state) if isr.is_controller(source) => {
                // A record of an older controller epoch is from a deposed controller.
                if state.controller_epoch < self.controller_epoch {
                    return;
                }
                if state.controller_epoch > self.controller_epoch || isr.controllers().len() > 1 {
                    self.controller_epoch = state.controller_epoch;
                    self.active = source;
                }
                self.on_state(isr, ctx, state)
            }
            Msg::Fetch {
                partition,
                leader_epoch,
                offset,
                last_epoch,
            } => self.on_fetch(ctx, source, partition, leader_epoch, offset, last_epoch),
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

    fn heartbeat(&self, isr: &Isr, ctx: &mut impl Ctx<Isr>) {
        let digest = self
            .partitions
            .iter()
            .map(|r| u64::from(r.state.partition_epoch))
            .sum();
        let controller_epoch = self.controller_epoch;
        // With standbys every controller hears it: whichever is active sees a broker
        // that has not heard of it yet (an older epoch) and brings it up to date.
        for &c in isr.controllers() {
            ctx.send(
                c,
                Msg::Heartbeat {
                    digest,
                    controller_epoch,
                },
            );
        }
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
    fn on_state(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>, state: PartitionState) {
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
            r.lead = Some(Lead::new(isr.replicas(state.partition), me, now, leo));
            ctx.observe(Observation::BecameLeader {
                partition: state.partition,
                epoch: state.leader_epoch,
            });
        } else if let Some(lead) = r.lead.as_mut() {
            // The controller answered (or overrode) an ISR proposal.
            lead.settle();
        }
        advance_high_watermark(r, ctx);
    }
}
