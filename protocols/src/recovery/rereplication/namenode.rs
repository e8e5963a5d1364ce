//! The namenode: places the blocks, tracks datanode liveness from heartbeats, and
//! schedules copies of under-replicated blocks, fewest live replicas first, within
//! each datanode's stream limits.

use super::{place, Msg, Namenode, Observation, PendingCopy, Rereplication, Role, State};
use hasim_sim::{Ctx, NodeId};
use std::collections::BTreeMap;

impl Rereplication {
    fn index_of(&self, node: NodeId) -> Option<u16> {
        match self.role(node) {
            Role::Datanode { index } => Some(*index),
            _ => None,
        }
    }

    pub(super) fn namenode_start(&self, ctx: &mut impl Ctx<Self>) -> State {
        let n = self.datanodes.len();
        let p = &self.params;
        let mut nn = Namenode {
            locations: vec![Vec::new(); p.blocks as usize],
            live: vec![true; n],
            last_heard: vec![ctx.now(); n],
            sending: vec![0; n],
            receiving: vec![0; n],
            pending: BTreeMap::new(),
            unassigned: vec![None; n],
            under: 0,
            missing: 0,
        };
        if ctx.incarnation().0 == 0 {
            let placed = place(p.blocks, p.replication, &self.racks, p.placement, ctx.rng());
            let mut per_node: Vec<Vec<u32>> = vec![Vec::new(); n];
            for (block, replicas) in placed.into_iter().enumerate() {
                for &r in &replicas {
                    per_node[r as usize].push(block as u32);
                }
                nn.locations[block] = replicas;
            }
            for (i, blocks) in per_node.into_iter().enumerate() {
                ctx.send(
                    self.datanodes[i],
                    Msg::Assign {
                        blocks: blocks.clone(),
                    },
                );
                nn.unassigned[i] = Some(blocks);
            }
        } else {
            // A restarted namenode knows nothing: the datanodes' reports rebuild the map.
            for &d in &self.datanodes {
                ctx.send(d, Msg::ReportRequest);
            }
        }
        ctx.set_timer(p.heartbeat_interval, super::Timer::Check);
        State::Namenode(Box::new(nn))
    }

    pub(super) fn namenode_message(
        &self,
        ctx: &mut impl Ctx<Self>,
        nn: &mut Namenode,
        source: NodeId,
        msg: Msg,
    ) {
        let Some(idx) = self.index_of(source) else {
            return;
        };
        let i = idx as usize;
        nn.last_heard[i] = ctx.now();
        let revived = !nn.live[i];
        if revived {
            nn.live[i] = true;
            ctx.observe(Observation::DatanodeLive { node: source });
            // Its replicas were forgotten when it was declared dead: a datanode that
            // was only cut off never restarted, so ask it for its blocks (HDFS: it
            // re-registers and sends a full block report).
            if !matches!(msg, Msg::BlockReport { .. }) {
                ctx.send(source, Msg::ReportRequest);
            }
        }
        match msg {
            Msg::BlockReport { blocks } => {
                for b in blocks {
                    if let Some(l) = nn.locations.get_mut(b as usize) {
                        if !l.contains(&idx) {
                            l.push(idx);
                        }
                    }
                }
            }
            Msg::BlockReceived { block } => {
                if let Some(copy) = nn.pending.get(&block).copied() {
                    if copy.target == idx {
                        nn.pending.remove(&block);
                        nn.sending[copy.source as usize] -= 1;
                        nn.receiving[i] -= 1;
                    }
                }
                if let Some(l) = nn.locations.get_mut(block as usize) {
                    if !l.contains(&idx) {
                        l.push(idx);
                        ctx.count("copies", 1);
                        ctx.observe(Observation::Copied {
                            block,
                            target: source,
                        });
                    }
                }
            }
            Msg::Stored => nn.unassigned[i] = None,
            Msg::NotHeld { block } => {
                if let Some(copy) = nn.pending.get(&block).copied().filter(|c| c.source == idx) {
                    nn.pending.remove(&block);
                    nn.sending[i] -= 1;
                    nn.receiving[copy.target as usize] -= 1;
                }
                if let Some(l) = nn.locations.get_mut(block as usize) {
                    if let Some(at) = l.iter().position(|&r| r == idx) {
                        l.swap_remove(at);
                        if l.is_empty() {
                            ctx.observe(Observation::Missing { block });
                        }
                    }
                }
            }
            Msg::Heartbeat if !revived => return,
            _ => {}
        }
        self.recount(ctx, nn);
        self.schedule(ctx, nn);
    }

    pub(super) fn namenode_check(&self, ctx: &mut impl Ctx<Self>, nn: &mut Namenode) {
        let p = &self.params;
        ctx.set_timer(p.heartbeat_interval, super::Timer::Check);
        let now = ctx.now();
        for i in 0..self.datanodes.len() {
            if !nn.live[i] || now.saturating_since(nn.last_heard[i]) <= p.dead_after {
                continue;
            }
            nn.live[i] = false;
            ctx.observe(Observation::DatanodeDead {
                node: self.datanodes[i],
            });
            for (block, l) in nn.locations.iter_mut().enumerate() {
                if let Some(at) = l.iter().position(|&r| r as usize == i) {
                    l.swap_remove(at);
                    if l.is_empty() {
                        ctx.observe(Observation::Missing {
                            block: block as u32,
                        });
                    }
                }
            }
            self.abandon(nn, |c| c.source as usize == i || c.target as usize == i);
        }
        // An assignment lost on the network is sent again (storing it twice is
        // harmless), so the namenode's map and the disks agree.
        for (i, blocks) in nn.unassigned.iter().enumerate() {
            if let Some(blocks) = blocks.as_ref().filter(|_| nn.live[i]) {
                ctx.send(
                    self.datanodes[i],
                    Msg::Assign {
                        blocks: blocks.clone(),
                    },
                );
            }
        }
        let timeout = p.pending_timeout;
        self.abandon(nn, |c| now.saturating_since(c.since) >= timeout);
        self.recount(ctx, nn);
        self.schedule(ctx, nn);
    }

    /// Gives up the pending copies `drop` selects, freeing their streams.
    fn abandon(&self, nn: &mut Namenode, drop: impl Fn(&PendingCopy) -> bool) {
        let (sending, receiving) = (&mut nn.sending, &mut nn.receiving);
        nn.pending.retain(|_, c| {
            if drop(c) {
                sending[c.source as usize] -= 1;
                receiving[c.target as usize] -= 1;
                false
            } else {
                true
            }
        });
    }

    /// Recounts under-replicated and missing blocks, observing a change.
    fn recount(&self, ctx: &mut impl Ctx<Self>, nn: &mut Namenode) {
        let want = self.params.replication as usize;
        let under = nn.locations.iter().filter(|l| l.len() < want).count() as u32;
        let missing = nn.locations.iter().filter(|l| l.is_empty()).count() as u32;
        if (under, missing) != (nn.under, nn.missing) {
            nn.under = under;
            nn.missing = missing;
            ctx.observe(Observation::Replication { under, missing });
        }
    }

    /// Schedules copies for under-replicated blocks not already being copied, fewest
    /// live replicas first, while sources and targets have free streams.
    fn schedule(&self, ctx: &mut impl Ctx<Self>, nn: &mut Namenode) {
        let want = self.params.replication as usize;
        let streams = self.params.max_streams;
        let mut queue: Vec<(usize, u32)> = nn
            .locations
            .iter()
            .enumerate()
            .filter(|(b, l)| {
                !l.is_empty() && l.len() < want && !nn.pending.contains_key(&(*b as u32))
            })
            .map(|(b, l)| (l.len(), b as u32))
            .collect();
        queue.sort_unstable();
        let mut tied: Vec<u16> = Vec::new();
        for (_, block) in queue {
            let holders = &nn.locations[block as usize];
            let Some(&source) = holders
                .iter()
                .filter(|&&s| nn.sending[s as usize] < streams)
                .min_by_key(|&&s| (nn.sending[s as usize], s))
            else {
                continue;
            };
            let first_rack = self.racks[holders[0] as usize];
            let one_rack = holders
                .iter()
                .all(|&h| self.racks[h as usize] == first_rack);
            let eligible = |t: usize, spread: bool| {
                nn.live[t]
                    && nn.receiving[t] < streams
                    && !holders.contains(&(t as u16))
                    && !(spread && self.racks[t] == first_rack)
            };
            // On another rack when the survivors share one, waiting for a free stream
            // there rather than settling for the same rack; anywhere only when no other
            // rack has a live node left.
            let n = self.datanodes.len();
            let spread = one_rack
                && (0..n).any(|t| {
                    nn.live[t] && self.racks[t] != first_rack && !holders.contains(&(t as u16))
                });
            let Some(least) = (0..n)
                .filter(|&t| eligible(t, spread))
                .map(|t| nn.receiving[t])
                .min()
            else {
                continue;
            };
            tied.clear();
            tied.extend(
                (0..n)
                    .filter(|&t| eligible(t, spread) && nn.receiving[t] == least)
                    .map(|t| t as u16),
            );
            let target = *ctx.rng().choose(&tied).expect("a least busy target");
            nn.sending[source as usize] += 1;
            nn.receiving[target as usize] += 1;
            nn.pending.insert(
                block,
                PendingCopy {
                    source,
                    target,
                    since: ctx.now(),
                },
            );
            ctx.send(
                self.datanodes[source as usize],
                Msg::Replicate {
                    block,
                    target: self.datanodes[target as usize],
                },
            );
        }
    }
}
