//! A broker's disk in the in-sync-replica model: each partition's log (appends are
//! unsynced, as Kafka leaves flushing to the OS) and, on the controller, the partition
//! metadata it must not forget across a restart.

use super::wire::{Entry, PartitionState};
use hasim_sim::Durable;

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
    /// A controller's promise to refuse every controller epoch below this one.
    Promise(u32),
}

/// A broker's disk: its partitions' logs and, on the controller, the metadata.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Disk {
    /// Each partition's log, by partition (absent: empty).
    pub logs: Vec<Vec<Entry>>,
    /// The controller's partition states, by partition (empty elsewhere).
    pub meta: Vec<PartitionState>,
    /// On a controller, the highest controller epoch it promised (0 until one is
    /// claimed; always 0 with a single controller).
    pub controller_epoch: u32,
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
            DiskWrite::Promise(epoch) => self.controller_epoch = self.controller_epoch.max(epoch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replication::isr::wire::ReplicaSet;
    use hasim_sim::NodeId;

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
            controller_epoch: 0,
        };
        disk.apply(&DiskWrite::Meta(state));
        assert_eq!(disk.meta.len(), 3);
        assert_eq!(disk.meta[2], state);
    }
}
