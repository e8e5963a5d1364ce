//! What the in-sync-replica model puts on the wire and records: messages, timers,
//! observations, log entries, partition metadata, and the replica-set bitmask they
//! share. Their trace form is in `describe.rs`, the disk in `disk.rs`.

use crate::detection::{any, DetectorObservation};
use crate::replication::history::{Key, OpEvent, Value};
use hasim_sim::NodeId;

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
    /// The controller epoch in which this record was proposed (always 0 with a single
    /// controller): brokers refuse a record from an older controller epoch, and a new
    /// controller recovers, per partition, the record of the highest one.
    pub controller_epoch: u32,
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
    /// The failure detector's traffic (with a `detector` parameter).
    Detector(any::Msg),
    /// Controller → controllers, every heartbeat interval (with standby controllers):
    /// the highest controller epoch it knows, and whether it leads that epoch (is its
    /// active controller, or is claiming it). Standbys judge the active one by it.
    ControllerHeartbeat {
        /// The sender's controller epoch.
        epoch: u32,
        /// Whether the sender leads (or claims) that epoch.
        leading: bool,
    },
    /// Candidate → controllers: promise to refuse every older controller epoch.
    Claim {
        /// The epoch claimed (owned by the candidate: `epoch % controllers`).
        epoch: u32,
    },
    /// Controller → candidate: the promise, with every record it accepted so far.
    Promise {
        /// The epoch promised.
        epoch: u32,
        /// Its records, by partition (each with the epoch it was proposed in).
        meta: Vec<PartitionState>,
    },
    /// Active controller → controllers: accept this record (committed once a majority
    /// of the controllers hold it).
    Accept(PartitionState),
    /// Controller → active controller: the record is on its disk.
    Accepted {
        /// The controller epoch of the record.
        epoch: u32,
        /// The partition.
        partition: u32,
        /// The record's partition epoch.
        partition_epoch: u32,
    },
    /// Controller → controller: refused, a newer controller epoch holds.
    NewerEpoch {
        /// The epoch that holds.
        epoch: u32,
    },
    /// Broker → controllers, every heartbeat interval; `digest` is the sum of the
    /// partition epochs the broker knows, so the controller sees a stale broker.
    Heartbeat {
        /// Sum of known partition epochs.
        digest: u64,
        /// The newest controller epoch the broker knows (0 with a single controller).
        controller_epoch: u32,
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
    /// The failure detector's timers.
    Detector(any::Timer),
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
    /// The embedded failure detector changed its mind about a node.
    Detector(DetectorObservation),
    /// This controller won controller epoch `epoch` and now acts as the controller.
    ControllerActive {
        /// The controller epoch.
        epoch: u32,
    },
    /// This controller heard of a newer controller epoch and stopped acting.
    ControllerDeposed {
        /// The newer epoch.
        epoch: u32,
    },
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
}
