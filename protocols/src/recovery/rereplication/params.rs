//! The parameters of HDFS-style re-replication: the namenode's (blocks, replication,
//! placement, liveness timing, copy bandwidth) and each datanode's rack.

use crate::InvalidParams;
use hasim_sim::SimDuration;
use serde::{Deserialize, Serialize};

/// Where a block's replicas go when it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// HDFS's default: the first replica on the writer's node, the second on a node of
    /// another rack, the third on another node of that second rack.
    RackAware,
    /// Distinct nodes drawn uniformly, racks ignored.
    Random,
}

/// The namenode's parameters, which are the whole system's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NamenodeParams {
    /// Blocks stored, placed when the run starts.
    pub blocks: u32,
    /// Replicas per block (HDFS's `dfs.replication`).
    pub replication: u32,
    /// Where replicas go.
    pub placement: Placement,
    /// A block's size, in MiB.
    pub block_size_mib: u64,
    /// One copy stream's rate, in MiB/s: a copy takes `block_size_mib / bandwidth_mib_per_s`.
    pub bandwidth_mib_per_s: u64,
    /// Copies a datanode sends at once, and receives at once
    /// (`dfs.namenode.replication.max-streams`).
    pub max_streams: u32,
    /// Between a datanode's heartbeats, and between the namenode's liveness checks.
    pub heartbeat_interval: SimDuration,
    /// A datanode silent this long is declared dead (HDFS: 2 × 5 min recheck + 10 ×
    /// 3 s heartbeat = 10 min 30 s).
    pub dead_after: SimDuration,
    /// A scheduled copy not reported done this long after it was scheduled is given up
    /// and scheduled again (`dfs.namenode.reconstruction.pending.timeout-sec`).
    pub pending_timeout: SimDuration,
}

impl Default for NamenodeParams {
    /// HDFS's defaults, with a small store.
    fn default() -> Self {
        NamenodeParams {
            blocks: 300,
            replication: 3,
            placement: Placement::RackAware,
            block_size_mib: 128,
            bandwidth_mib_per_s: 64,
            max_streams: 2,
            heartbeat_interval: SimDuration::from_secs(3),
            dead_after: SimDuration::from_secs(630),
            pending_timeout: SimDuration::from_secs(300),
        }
    }
}

impl NamenodeParams {
    /// How long one copy of one block takes.
    pub fn copy_time(&self) -> SimDuration {
        SimDuration::from_nanos(
            (u128::from(self.block_size_mib) * 1_000_000_000
                / u128::from(self.bandwidth_mib_per_s.max(1)))
            .min(u128::from(u64::MAX)) as u64,
        )
    }

    /// Checks the values serde cannot, given how many datanodes there are.
    pub fn validate(&self, datanodes: usize) -> Result<(), InvalidParams> {
        if self.replication == 0 || self.replication as usize > datanodes {
            return Err(format!(
                "replication must be from 1 to the number of datanodes ({datanodes}), got {}",
                self.replication
            )
            .into());
        }
        if self.block_size_mib == 0 || self.bandwidth_mib_per_s == 0 || self.max_streams == 0 {
            return Err(
                "block_size_mib, bandwidth_mib_per_s and max_streams must be above zero".into(),
            );
        }
        if self.heartbeat_interval.is_zero()
            || self.dead_after < self.heartbeat_interval
            || self.pending_timeout.is_zero()
        {
            return Err("heartbeat_interval and pending_timeout must be above zero, and dead_after at least one heartbeat_interval".into());
        }
        Ok(())
    }
}

/// A datanode's parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatanodeParams {
    /// The datanode's rack, as the namenode's topology script would name it. Write
    /// the same name as the group's `rack` label so `rack:` selectors agree.
    pub rack: String,
}
