//! What the in-sync-replica model puts on the wire, on disk and in the trace: messages,
//! timers, observations, the durable log and partition metadata, and the replica-set
//! bitmask they share.

use crate::replication::history::{Key, OpEvent, OpKind, OpResult, Value};
use hasim_sim::{Describe, Detail, Durable, NodeId};

/// A set of brokers, as a bitmask over node ids (broker ids are below 64: validated).
/// A bitmask rather than a `Vec` so that metadata messages allocate nothing; the trace
/// prints it as the mask (`isr=6` is nodes 1 and 2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReplicaSet(pub u64);

impl ReplicaSet {
    /// The empty set.
    pub const EMPTY: ReplicaSet = ReplicaSet(0);

    /// Whether `node` is in the set.
    pub fn contains(self, node: NodeId) -> bool {
        node.0 < 64 && self.0 & (1 << node.0) != 0
    }

    /// The set with `node` added.
    pub fn with(self, node: NodeId) -> ReplicaSet {
        ReplicaSet(self.0 | (1 << node.0))
    }

    /// The set with `node` removed.
    pub fn without(self, node: NodeId) -> ReplicaSet {
        ReplicaSet(self.0 & !(1 << node.0))
    }

    /// How many brokers it holds.
    pub fn len(self) -> u32 {
        self.0.count_ones()
    }

    /// Whether it holds none.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The members, ascending.
    pub fn iter(self) -> impl Iterator<Item = NodeId> {
        (0..64u32)
            .filter(move |i| self.0 & (1 << i) != 0)
            .map(NodeId)
    }
}

/// One record of a partition's log. Its offset is its index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The leader epoch in which it was appended.
    pub epoch: u32,
    /// The key written.
    pub key: Key,
    /// The value written (unique per write).
    pub value: Value,
}

/// The controller's record of one partition, pushed to every broker.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PartitionState {
    /// The partition.
    pub partition: u32,
    /// Bumped at every leader change (Kafka's leader epoch): fences a deposed leader.
    pub leader_epoch: u32,
    /// Bumped at every change of leader or ISR (Kafka's partition epoch): orders the
    /// controller's pushes, so a broker ignores a stale one.
    pub partition_epoch: u32,
    /// The leader; `None` while the partition is offline.
    pub leader: Option<NodeId>,
    /// The in-sync replicas (never empty: the last member stays while it is down).
    pub isr: ReplicaSet,
}

/// `acks` of a producer: when the leader answers a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acks {
    /// After its own append (`acks = 1`).
    Leader,
    /// After every in-sync replica has it (`acks = "all"`), refused with
    /// NotEnoughReplicas when the ISR is smaller than `min_insync_replicas`.
    All,
}

/// A broker's answer to a producer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The write is acknowledged.
    Written,
    /// The key's latest committed value (0: never written).
    Read(Value),
    /// Not the leader; the leader this broker knows of, if any.
    NotLeader(Option<NodeId>),
    /// `acks = all` and the ISR is smaller than `min_insync_replicas`: not appended.
    NotEnoughReplicas,
}

/// On the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Broker → controller, every heartbeat interval; `digest` is the sum of the
    /// partition epochs the broker knows, so the controller sees a stale broker.
    Heartbeat {
        /// Sum of known partition epochs.
        digest: u64,
    },
    /// Controller → brokers: a partition's state.
    LeaderAndIsr(PartitionState),
    /// Leader → controller: change the ISR (Kafka's AlterPartition).
    AlterIsr {
        /// The partition.
        partition: u32,
        /// The proposer's leader epoch (stale proposals are refused).
        leader_epoch: u32,
        /// The proposed ISR.
        isr: ReplicaSet,
    },
    /// Follower → leader: send me what follows `offset`.
    Fetch {
        /// The partition.
        partition: u32,
        /// The follower's leader epoch.
        leader_epoch: u32,
        /// The follower's log end offset.
        offset: u64,
        /// The epoch of the follower's last entry (0 for an empty log).
        last_epoch: u32,
    },
    /// Leader → follower: entries from `offset`, and the high watermark.
    FetchReply {
        /// The partition.
        partition: u32,
        /// The leader's epoch.
        leader_epoch: u32,
        /// The offset of the first entry.
        offset: u64,
        /// The entries.
        entries: Vec<Entry>,
        /// The leader's high watermark.
        high_watermark: u64,
    },
    /// Leader → follower: your log diverges from mine; truncate to `to` and fetch again.
    Diverged {
        /// The partition.
        partition: u32,
        /// The leader's epoch.
        leader_epoch: u32,
        /// The offset to truncate to.
        to: u64,
    },
    /// Producer → leader: append a write.
    Produce {
        /// The producer's operation number.
        op: u64,
        /// The key.
        key: Key,
        /// The value.
        value: Value,
        /// When to answer.
        acks: Acks,
    },
    /// Producer → leader: read the key's latest committed value.
    Consume {
        /// The producer's operation number.
        op: u64,
        /// The key.
        key: Key,
    },
    /// Broker → producer: the answer to operation `op`.
    Reply {
        /// The operation.
        op: u64,
        /// The answer.
        answer: Answer,
    },
    /// Producer → any broker: who leads `partition`?
    Metadata {
        /// The partition.
        partition: u32,
    },
    /// Broker → producer: the leader of `partition` as the broker knows it.
    MetadataReply {
        /// The partition.
        partition: u32,
        /// Its leader, if any.
        leader: Option<NodeId>,
    },
}

/// Timer tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// A broker sends its heartbeat to the controller.
    Heartbeat,
    /// The controller fences brokers whose session expired.
    Session,
    /// A broker fetches for every partition it follows.
    Fetch,
    /// A leader checks its followers' lag (every `replica_lag_time_max / 2`).
    IsrCheck,
    /// A producer starts its next operation.
    Next,
    /// A producer gives up on operation `op`.
    OpTimeout {
        /// The operation.
        op: u64,
    },
}

/// What the model records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observation {
    /// A producer's operation (for histories).
    Op(OpEvent),
    /// A broker took up leadership of `partition` in `epoch`.
    BecameLeader {
        /// The partition.
        partition: u32,
        /// The leader epoch.
        epoch: u32,
    },
    /// The controller changed a partition's leader (`None`: offline).
    Elected {
        /// The partition.
        partition: u32,
        /// The new leader epoch.
        epoch: u32,
        /// The new leader.
        leader: Option<NodeId>,
        /// Whether it came from the ISR (false: an unclean election).
        clean: bool,
    },
    /// The controller committed a new ISR.
    IsrChanged {
        /// The partition.
        partition: u32,
        /// The new ISR.
        isr: ReplicaSet,
        /// Members added.
        added: u32,
        /// Members removed.
        removed: u32,
    },
    /// The controller's session for `broker` expired: it counts as dead.
    Fenced {
        /// The broker.
        broker: NodeId,
    },
    /// A fenced broker heartbeated again.
    Unfenced {
        /// The broker.
        broker: NodeId,
    },
    /// A follower cut its log back to the leader's.
    Truncated {
        /// The partition.
        partition: u32,
        /// Log end before.
        from: u64,
        /// Log end after.
        to: u64,
    },
}

/// A write to a broker's disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiskWrite {
    /// Appends an entry to a partition's log.
    Append {
        /// The partition.
        partition: u32,
        /// The entry.
        entry: Entry,
    },
    /// Cuts a partition's log to `len` entries.
    Truncate {
        /// The partition.
        partition: u32,
        /// The new length.
        len: u64,
    },
    /// The controller's record of a partition.
    Meta(PartitionState),
}

/// A broker's disk: its partitions' logs and, on the controller, the metadata.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Disk {
    /// Each partition's log, by partition (absent: empty).
    pub logs: Vec<Vec<Entry>>,
    /// The controller's partition states, by partition (empty elsewhere).
    pub meta: Vec<PartitionState>,
}

impl Disk {
    /// The log of `partition` (empty if this broker holds none).
    pub fn log(&self, partition: u32) -> &[Entry] {
        self.logs.get(partition as usize).map_or(&[], Vec::as_slice)
    }
}

impl Durable for Disk {
    type Write = DiskWrite;
    fn apply(&mut self, write: &DiskWrite) {
        let grow = |v: &mut Vec<Vec<Entry>>, p: u32| {
            if v.len() <= p as usize {
                v.resize(p as usize + 1, Vec::new());
            }
        };
        match *write {
            DiskWrite::Append { partition, entry } => {
                grow(&mut self.logs, partition);
                self.logs[partition as usize].push(entry);
            }
            DiskWrite::Truncate { partition, len } => {
                grow(&mut self.logs, partition);
                self.logs[partition as usize].truncate(len as usize);
            }
            DiskWrite::Meta(state) => {
                let p = state.partition as usize;
                if self.meta.len() <= p {
                    self.meta.resize(p + 1, PartitionState::default());
                }
                self.meta[p] = state;
            }
        }
    }
}

/// An operation event as the trace shows it (kept here: the shared history module
/// has no trace form, and each model names its own records).
fn describe_op<'d, 'a>(e: &OpEvent, d: &'d mut Detail<'a>) -> &'d mut Detail<'a> {
    match *e {
        OpEvent::Invoke { op, key, kind } => {
            d.name("invoke").u64("op", op).u64("key", u64::from(key));
            match kind {
                OpKind::Read => d.str("kind", "read"),
                OpKind::Write(v) => d.str("kind", "write").u64("value", v),
            }
        }
        OpEvent::Complete { op, result } => {
            d.name("complete").u64("op", op);
            match result {
                OpResult::Ok(Some(v)) => d.str("result", "ok").u64("value", v),
                OpResult::Ok(None) => d.str("result", "ok"),
                OpResult::Fail => d.str("result", "fail"),
                OpResult::Unknown => d.str("result", "unknown"),
            }
        }
    }
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
}

impl Describe for Msg {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Msg::Heartbeat { digest } => d.name("heartbeat").u64("digest", *digest),
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
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replica_sets_add_remove_and_list_in_id_order() {
        let s = ReplicaSet::EMPTY
            .with(NodeId(3))
            .with(NodeId(1))
            .with(NodeId(3));
        assert_eq!(s.len(), 2);
        assert!(s.contains(NodeId(1)) && !s.contains(NodeId(2)));
        assert!(
            !s.contains(NodeId(70)),
            "ids past the mask are never members"
        );
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![NodeId(1), NodeId(3)]);
        assert!(s.without(NodeId(1)).without(NodeId(3)).is_empty());
    }

    #[test]
    fn disk_applies_appends_truncations_and_metadata_by_partition() {
        let entry = |value| Entry {
            epoch: 1,
            key: 0,
            value,
        };
        let mut disk = Disk::default();
        for (partition, value) in [(1, 10), (1, 11), (1, 12), (0, 20)] {
            disk.apply(&DiskWrite::Append {
                partition,
                entry: entry(value),
            });
        }
        disk.apply(&DiskWrite::Truncate {
            partition: 1,
            len: 1,
        });
        assert_eq!(disk.log(1), &[entry(10)]);
        assert_eq!(disk.log(0), &[entry(20)]);
        assert!(disk.log(5).is_empty());
        let state = PartitionState {
            partition: 2,
            leader_epoch: 4,
            partition_epoch: 7,
            leader: Some(NodeId(2)),
            isr: ReplicaSet(0b110),
        };
        disk.apply(&DiskWrite::Meta(state));
        assert_eq!(disk.meta.len(), 3);
        assert_eq!(disk.meta[2], state);
    }
}
