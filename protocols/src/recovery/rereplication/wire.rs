//! How re-replication's messages, timers, observations and disk writes read in the
//! trace (and are hashed).

use super::{Msg, Observation, Store, Timer};
use hasim_sim::{Describe, Detail};

impl Describe for Msg {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Msg::Heartbeat => d.name("heartbeat"),
            Msg::BlockReport { blocks } => {
                d.name("block_report").u64("blocks", blocks.len() as u64)
            }
            Msg::Assign { blocks } => d.name("assign").u64("blocks", blocks.len() as u64),
            Msg::ReportRequest => d.name("report_request"),
            Msg::Stored => d.name("stored"),
            Msg::Replicate { block, target } => d
                .name("replicate")
                .u64("block", (*block).into())
                .node("target", *target),
            Msg::BlockData { block } => d.name("block_data").u64("block", (*block).into()),
            Msg::BlockReceived { block } => d.name("block_received").u64("block", (*block).into()),
            Msg::NotHeld { block } => d.name("not_held").u64("block", (*block).into()),
        };
    }
}

impl Describe for Timer {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Timer::Heartbeat => d.name("heartbeat"),
            Timer::Check => d.name("check"),
            Timer::Sent { block, target } => d
                .name("sent")
                .u64("block", block.into())
                .node("target", target),
        };
    }
}

impl Describe for Observation {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Observation::DatanodeDead { node } => d.name("datanode_dead").node("node", node),
            Observation::DatanodeLive { node } => d.name("datanode_live").node("node", node),
            Observation::Replication { under, missing } => d
                .name("replication")
                .u64("under", under.into())
                .u64("missing", missing.into()),
            Observation::Missing { block } => d.name("missing").u64("block", block.into()),
            Observation::Copied { block, target } => d
                .name("copied")
                .u64("block", block.into())
                .node("target", target),
        };
    }
}

impl Describe for Store {
    fn describe(&self, d: &mut Detail<'_>) {
        d.name("store").u64("block", self.0.into());
    }
}
