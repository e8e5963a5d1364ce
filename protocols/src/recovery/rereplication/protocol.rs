//! The protocol's dispatch, and the datanode: heartbeats, block reports, and copies
//! that take `block_size / bandwidth` to send.

use super::{Disk, Msg, Observation, Rereplication, Role, State, Store, Timer, View};
use hasim_sim::{Ctx, NodeId, Protocol, SimDuration};

impl Protocol for Rereplication {
    type Msg = Msg;
    type Timer = Timer;
    type State = State;
    type Durable = Disk;
    type View = View;
    type Observation = Observation;

    fn start(&self, ctx: &mut impl Ctx<Self>, disk: &Disk) -> State {
        match self.role(ctx.id()) {
            Role::Namenode => self.namenode_start(ctx),
            Role::Datanode { .. } => {
                ctx.send(
                    self.namenode,
                    Msg::BlockReport {
                        blocks: disk.blocks.iter().copied().collect(),
                    },
                );
                // Heartbeats start at a random phase, as independent machines do.
                let interval = self.params.heartbeat_interval;
                let phase = SimDuration::from_nanos(ctx.rng().below(interval.as_nanos().max(1)));
                let heartbeat = Some(ctx.set_timer(phase, Timer::Heartbeat));
                State::Datanode {
                    blocks: disk.blocks.clone(),
                    heartbeat,
                }
            }
            Role::Idle => State::Idle,
        }
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, state: &mut State, source: NodeId, msg: Msg) {
        match state {
            State::Namenode(nn) => self.namenode_message(ctx, nn, source, msg),
            State::Datanode { blocks, .. } => match msg {
                Msg::Assign { blocks: assigned } => {
                    for &b in &assigned {
                        blocks.insert(b);
                        ctx.persist(Store(b));
                    }
                    ctx.sync();
                    ctx.send(self.namenode, Msg::Stored);
                }
                Msg::ReportRequest => ctx.send(
                    self.namenode,
                    Msg::BlockReport {
                        blocks: blocks.iter().copied().collect(),
                    },
                ),
                Msg::Replicate { block, target } => {
                    if blocks.contains(&block) {
                        ctx.set_timer(self.params.copy_time(), Timer::Sent { block, target });
                    } else {
                        ctx.send(self.namenode, Msg::NotHeld { block });
                    }
                }
                Msg::BlockData { block } => {
                    blocks.insert(block);
                    ctx.persist_synced(Store(block));
                    ctx.send(self.namenode, Msg::BlockReceived { block });
                }
                _ => {}
            },
            State::Idle => {}
        }
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut State, timer: Timer) {
        match (state, timer) {
            (State::Namenode(nn), Timer::Check) => self.namenode_check(ctx, nn),
            (State::Datanode { heartbeat, .. }, Timer::Heartbeat) => {
                *heartbeat = Some(ctx.set_timer(self.params.heartbeat_interval, Timer::Heartbeat));
                ctx.send(self.namenode, Msg::Heartbeat);
            }
            (State::Datanode { .. }, Timer::Sent { block, target }) => {
                ctx.send(target, Msg::BlockData { block });
            }
            _ => {}
        }
    }

    fn view(&self, state: &State) -> View {
        match state {
            State::Namenode(nn) => View::Namenode {
                under: nn.under,
                missing: nn.missing,
            },
            State::Datanode { blocks, .. } => View::Datanode {
                blocks: blocks.len() as u32,
            },
            State::Idle => View::Idle,
        }
    }
}
