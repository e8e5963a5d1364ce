//! How the in-sync-replica model's messages, timers, observations and disk writes
//! appear in the trace (and so in its hash): names and typed fields, written by hand.

use super::disk::DiskWrite;
use super::wire::{Acks, Answer, Msg, Observation, PartitionState, Timer};
use crate::replication::history::OpEvent;
use hasim_sim::{Describe, Detail, NodeId};

/// An operation event as the trace shows it (the shared form in `history`).
fn describe_op<'d, 'a>(e: &OpEvent, d: &'d mut Detail<'a>) -> &'d mut Detail<'a> {
    e.describe(d);
    d
}

fn leader_field(d: &mut Detail<'_>, leader: Option<NodeId>) {
    match leader {
        Some(l) => d.node("leader", l),
        None => d.str("leader", "none"),
    };
}

fn state_fields(d: &mut Detail<'_>, s: &PartitionState) {
    d.u64("partition", u64::from(s.partition))
        .u64("epoch", u64::from(s.leader_epoch))
        .u64("partition_epoch", u64::from(s.partition_epoch));
    leader_field(d, s.leader);
    d.u64("isr", s.isr.0);
    // Only standby controllers make epochs: a single controller's trace stays as it was.
    if s.controller_epoch != 0 {
        d.u64("controller_epoch", u64::from(s.controller_epoch));
    }
}

impl Describe for Msg {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Msg::Detector(m) => {
                m.describe(d);
                d
            }
            Msg::ControllerHeartbeat { epoch, leading } => d
                .name("controller_heartbeat")
                .u64("controller_epoch", u64::from(*epoch))
                .bool("leading", *leading),
            Msg::Claim { epoch } => d.name("claim").u64("controller_epoch", u64::from(*epoch)),
            Msg::Promise { epoch, meta } => d
                .name("promise")
                .u64("controller_epoch", u64::from(*epoch))
                .u64("records", meta.len() as u64),
            Msg::Accept(s) => {
                d.name("accept");
                state_fields(d, s);
                d
            }
            Msg::Accepted {
                epoch,
                partition,
                partition_epoch,
            } => d
                .name("accepted")
                .u64("controller_epoch", u64::from(*epoch))
                .u64("partition", u64::from(*partition))
                .u64("partition_epoch", u64::from(*partition_epoch)),
            Msg::NewerEpoch { epoch } => d
                .name("newer_epoch")
                .u64("controller_epoch", u64::from(*epoch)),
            Msg::Heartbeat {
                digest,
                controller_epoch,
            } => {
                d.name("heartbeat").u64("digest", *digest);
                if *controller_epoch != 0 {
                    d.u64("controller_epoch", u64::from(*controller_epoch));
                }
                d
            }
            Msg::LeaderAndIsr(s) => {
                d.name("leader_and_isr");
                state_fields(d, s);
                d
            }
            Msg::AlterIsr {
                partition,
                leader_epoch,
                isr,
            } => d
                .name("alter_isr")
                .u64("partition", u64::from(*partition))
                .u64("epoch", u64::from(*leader_epoch))
                .u64("isr", isr.0),
            Msg::Fetch {
                partition,
                leader_epoch,
                offset,
                last_epoch,
            } => d
                .name("fetch")
                .u64("partition", u64::from(*partition))
                .u64("epoch", u64::from(*leader_epoch))
                .u64("offset", *offset)
                .u64("last_epoch", u64::from(*last_epoch)),
            Msg::FetchReply {
                partition,
                leader_epoch,
                offset,
                entries,
                high_watermark,
            } => d
                .name("fetch_reply")
                .u64("partition", u64::from(*partition))
                .u64("epoch", u64::from(*leader_epoch))
                .u64("offset", *offset)
                .u64("entries", entries.len() as u64)
                .u64("hw", *high_watermark),
            Msg::Diverged {
                partition,
                leader_epoch,
                to,
            } => d
                .name("diverged")
                .u64("partition", u64::from(*partition))
                .u64("epoch", u64::from(*leader_epoch))
                .u64("to", *to),
            Msg::Produce {
                op,
                key,
                value,
                acks,
            } => d
                .name("produce")
                .u64("op", *op)
                .u64("key", u64::from(*key))
                .u64("value", *value)
                .str("acks", if *acks == Acks::All { "all" } else { "1" }),
            Msg::Consume { op, key } => {
                d.name("consume").u64("op", *op).u64("key", u64::from(*key))
            }
            Msg::Reply { op, answer } => {
                d.name("reply").u64("op", *op);
                match answer {
                    Answer::Written => d.str("answer", "written"),
                    Answer::Read(v) => d.str("answer", "read").u64("value", *v),
                    Answer::NotLeader(l) => {
                        d.str("answer", "not_leader");
                        leader_field(d, *l);
                        d
                    }
                    Answer::NotEnoughReplicas => d.str("answer", "not_enough_replicas"),
                }
            }
            Msg::Metadata { partition } => {
                d.name("metadata").u64("partition", u64::from(*partition))
            }
            Msg::MetadataReply { partition, leader } => {
                d.name("metadata_reply")
                    .u64("partition", u64::from(*partition));
                leader_field(d, *leader);
                d
            }
        };
    }
}

impl Describe for Timer {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Timer::Detector(t) => {
                t.describe(d);
                d
            }
            Timer::Heartbeat => d.name("heartbeat"),
            Timer::Session => d.name("session"),
            Timer::Fetch => d.name("fetch"),
            Timer::IsrCheck => d.name("isr_check"),
            Timer::Next => d.name("next"),
            Timer::OpTimeout { op } => d.name("op_timeout").u64("op", *op),
        };
    }
}

impl Describe for Observation {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Observation::Op(e) => describe_op(e, d),
            Observation::Detector(o) => {
                o.describe(d);
                d
            }
            Observation::ControllerActive { epoch } => d
                .name("controller_active")
                .u64("controller_epoch", u64::from(*epoch)),
            Observation::ControllerDeposed { epoch } => d
                .name("controller_deposed")
                .u64("controller_epoch", u64::from(*epoch)),
            Observation::BecameLeader { partition, epoch } => d
                .name("became_leader")
                .u64("partition", u64::from(*partition))
                .u64("epoch", u64::from(*epoch)),
            Observation::Elected {
                partition,
                epoch,
                leader,
                clean,
            } => {
                d.name("elected")
                    .u64("partition", u64::from(*partition))
                    .u64("epoch", u64::from(*epoch));
                leader_field(d, *leader);
                d.bool("clean", *clean)
            }
            Observation::IsrChanged {
                partition,
                isr,
                added,
                removed,
            } => d
                .name("isr_changed")
                .u64("partition", u64::from(*partition))
                .u64("isr", isr.0)
                .u64("added", u64::from(*added))
                .u64("removed", u64::from(*removed)),
            Observation::Fenced { broker } => d.name("fenced").node("broker", *broker),
            Observation::Unfenced { broker } => d.name("unfenced").node("broker", *broker),
            Observation::Truncated {
                partition,
                from,
                to,
            } => d
                .name("truncated")
                .u64("partition", u64::from(*partition))
                .u64("from", *from)
                .u64("to", *to),
        };
    }
}

impl Describe for DiskWrite {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            DiskWrite::Append { partition, entry } => d
                .name("append")
                .u64("partition", u64::from(*partition))
                .u64("epoch", u64::from(entry.epoch))
                .u64("key", u64::from(entry.key))
                .u64("value", entry.value),
            DiskWrite::Truncate { partition, len } => d
                .name("truncate")
                .u64("partition", u64::from(*partition))
                .u64("len", *len),
            DiskWrite::Meta(s) => {
                d.name("meta");
                state_fields(d, s);
                d
            }
            DiskWrite::Promise(epoch) => {
                d.name("promise").u64("controller_epoch", u64::from(*epoch))
            }
        };
    }
}
