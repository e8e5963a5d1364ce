//! `data_platform`: ingest → compute → storage as one composed system: a Kafka-style
//! in-sync-replica log, a Flink/Spark-style job whose executors run as supervised
//! processes, and HDFS-style rack-aware storage that re-replicates after a rack fails.
//!
//! **The algorithm.** Four families run unchanged as parts ([`Within`]). The *ingest*
//! part ([`Isr`]: a controller, brokers and producers) runs on nodes `0..log.nodes`.
//! The *cluster* span after it holds the compute job's driver, the storage namenode and
//! the workers, and runs three parts: the job ([`Compute`]: driver and executors), the
//! store ([`Rereplication`]: namenode and datanodes) and, on each worker, the kubelet
//! ([`Supervisor`]) that runs the worker's executor as a process. A worker node is a
//! datanode and an executor at once, as a Hadoop worker runs a DataNode beside its
//! executors, so one rack failure takes storage and compute down together.
//!
//! The seam is the executor process. The host hears the kubelet's observations: when
//! the process starts, the executor part starts afresh (a new run, with its own timer
//! tag, so the dead run's heartbeats and tasks never fire into the new one); when it
//! crashes, hangs, is killed or exits, the executor part is gone, and messages to it
//! are dropped. The driver sees what Spark's and Flink's drivers see: heartbeats stop,
//! or the executor registers again, and it re-runs the lost work.
//!
//! **What it simplifies.** The stages are coupled by placement and fate, not by the
//! records themselves: the job's input is the rate its own parameters give, not the
//! ingest log's writes, and the store's blocks exist from the start (no job output is
//! written to it). A hung executor process is treated as gone at once (it answers
//! nothing, which is all its peers can see). Everything each part leaves out, it still
//! leaves out (no controller or driver or namenode failover). The parts share each
//! node's random stream and the run's counters.
//!
//! **What it promises.** Each part keeps its own promises: one ISR leader per epoch and
//! no acknowledged write lost under clean election with `acks = "all"`; rack-aware
//! placement loses no block to one rack's failure; a streaming restart restores the
//! newest checkpoint every executor acknowledged. An executor part only ever runs
//! while its kubelet says the process is running, and at most one run at a time.

pub mod catalogue;
mod pipeline;

use crate::recovery::compute::{self, Compute};
use crate::recovery::rereplication::{self, Rereplication};
use crate::recovery::supervisor::{self, Supervisor};
use crate::replication::isr::{self, Isr};
use hasim_sim::{Ctx, NodeId, Protocol, Span, Within};

/// The system: each part's configuration and where it runs.
#[derive(Clone, Debug)]
pub struct DataPlatform {
    /// The ingest log (controller, brokers, producers).
    pub ingest: Isr,
    /// The compute job (driver, executors).
    pub compute: Compute,
    /// The block store (namenode, datanodes).
    pub storage: Rereplication,
    /// The kubelets that run the executors as processes.
    pub kubelet: Supervisor,
    /// Where the ingest log runs.
    pub log: Span,
    /// Where the compute job, the store and the kubelets run (the same nodes).
    pub cluster: Span,
}

impl DataPlatform {
    /// How many nodes the system has.
    pub fn node_count(&self) -> u32 {
        self.cluster.base + self.cluster.nodes
    }
}

parts! {
    host DataPlatform;
    /// The ingest log's.
    Ingest(Isr), lens IngestLens, disk ingest, name "ingest";
    /// The compute job's.
    Compute(Compute), lens ComputeLens, disk compute, name "compute";
    /// The block store's.
    Storage(Rereplication), lens StorageLens, disk storage, name "storage";
    /// The kubelet's.
    Kubelet(Supervisor), lens KubeletLens, disk kubelet, name "kubelet";
}

/// A node's volatile state: the parts it runs.
#[derive(Debug)]
pub struct State {
    ingest: Option<isr::State>,
    /// `None` on a worker whose executor process is not running.
    compute: Option<compute::State>,
    storage: Option<rereplication::State>,
    kubelet: Option<supervisor::State>,
    /// The executor process's run: its timers carry it.
    run: u32,
}

impl State {
    /// The ingest log's state on this node.
    pub fn ingest(&self) -> Option<&isr::State> {
        self.ingest.as_ref()
    }
    /// The compute job's state on this node (none while its executor process is down).
    pub fn compute(&self) -> Option<&compute::State> {
        self.compute.as_ref()
    }
    /// The block store's state on this node.
    pub fn storage(&self) -> Option<&rereplication::State> {
        self.storage.as_ref()
    }
    /// The kubelet's state on this node.
    pub fn kubelet(&self) -> Option<&supervisor::State> {
        self.kubelet.as_ref()
    }
}

/// A node's summary: each part's view where it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    /// The ingest log's view.
    pub ingest: Option<isr::View>,
    /// The compute job's view (none while the executor process is down).
    pub compute: Option<compute::View>,
    /// The block store's view.
    pub storage: Option<rereplication::View>,
    /// The kubelet's view.
    pub kubelet: Option<supervisor::View>,
}

impl DataPlatform {
    fn job(
        &self,
        ctx: &mut impl Ctx<Self>,
        state: &mut State,
        event: Event<compute::Msg, compute::Timer>,
    ) {
        let Some(job) = state.compute.as_mut() else {
            return;
        };
        let w = &mut Within::<_, ComputeLens>::new(ctx, self.cluster).tagged(state.run);
        match event {
            Event::Message(source, m) => self.compute.on_message(w, job, source, m),
            Event::Timer(t) => self.compute.on_timer(w, job, t),
        }
    }

    fn on_kubelet(&self, ctx: &mut impl Ctx<Self>, state: &mut State, timer: supervisor::Timer) {
        let Some(kubelet) = state.kubelet.as_mut() else {
            return;
        };
        let mut w = Within::<_, KubeletLens>::new(ctx, self.cluster).hearing();
        self.kubelet.on_timer(&mut w, kubelet, timer);
        let heard = w.heard();
        self.follow_process(ctx, state, &heard);
    }

    /// Starts or ends the executor part as the kubelet starts or loses its process.
    fn follow_process(
        &self,
        ctx: &mut impl Ctx<Self>,
        state: &mut State,
        heard: &[supervisor::Observation],
    ) {
        for o in heard {
            match o.available() {
                Some(true) => {
                    state.run += 1;
                    let w = &mut Within::<_, ComputeLens>::new(ctx, self.cluster).tagged(state.run);
                    state.compute = Some(self.compute.start(w, &()));
                }
                Some(false) => state.compute = None,
                None => {}
            }
        }
    }
}

/// What a part's event on this node needs to run: a message or a timer.
enum Event<M, T> {
    Message(NodeId, M),
    Timer(T),
}

impl Protocol for DataPlatform {
    type Msg = Msg;
    type Timer = Timer;
    type State = State;
    type Durable = Disk;
    type View = View;
    type Observation = Observation;

    fn start(&self, ctx: &mut impl Ctx<Self>, durable: &Disk) -> State {
        let id = ctx.id();
        let mut state = State {
            ingest: None,
            compute: None,
            storage: None,
            kubelet: None,
            run: 0,
        };
        if self.log.part(id).is_some() {
            let w = &mut Within::<_, IngestLens>::new(ctx, self.log);
            state.ingest = Some(self.ingest.start(w, &durable.ingest));
        }
        if self.cluster.part(id).is_none() {
            return state;
        }
        let w = &mut Within::<_, StorageLens>::new(ctx, self.cluster);
        state.storage = Some(self.storage.start(w, &durable.storage));
        let mut w = Within::<_, KubeletLens>::new(ctx, self.cluster).hearing();
        let kubelet = self.kubelet.start(&mut w, &durable.kubelet);
        let heard = w.heard();
        // A node without a kubelet (driver, namenode) runs its compute part directly.
        let supervised = !matches!(kubelet, supervisor::State::Idle);
        state.kubelet = Some(kubelet);
        if supervised {
            self.follow_process(ctx, &mut state, &heard);
        } else {
            let w = &mut Within::<_, ComputeLens>::new(ctx, self.cluster);
            state.compute = Some(self.compute.start(w, &durable.compute));
        }
        state
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, state: &mut State, source: NodeId, msg: Msg) {
        match msg {
            Msg::Ingest(m) => {
                if let (Some(s), Some(source)) = (state.ingest.as_mut(), self.log.part(source)) {
                    let w = &mut Within::<_, IngestLens>::new(ctx, self.log);
                    self.ingest.on_message(w, s, source, m);
                }
            }
            Msg::Compute(m) => {
                if let Some(source) = self.cluster.part(source) {
                    self.job(ctx, state, Event::Message(source, m));
                }
            }
            Msg::Storage(m) => {
                if let (Some(s), Some(source)) = (state.storage.as_mut(), self.cluster.part(source))
                {
                    let w = &mut Within::<_, StorageLens>::new(ctx, self.cluster);
                    self.storage.on_message(w, s, source, m);
                }
            }
            Msg::Kubelet(m) => match m {},
        }
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut State, timer: Timer) {
        match timer {
            Timer::Ingest(t, _) => {
                if let Some(s) = state.ingest.as_mut() {
                    let w = &mut Within::<_, IngestLens>::new(ctx, self.log);
                    self.ingest.on_timer(w, s, t);
                }
            }
            Timer::Compute(t, run) => {
                // A timer of an executor run that has ended belongs to a dead process.
                if run == state.run {
                    self.job(ctx, state, Event::Timer(t));
                }
            }
            Timer::Storage(t, _) => {
                if let Some(s) = state.storage.as_mut() {
                    let w = &mut Within::<_, StorageLens>::new(ctx, self.cluster);
                    self.storage.on_timer(w, s, t);
                }
            }
            Timer::Kubelet(t, _) => self.on_kubelet(ctx, state, t),
        }
    }

    fn view(&self, state: &State) -> View {
        View {
            ingest: state.ingest.as_ref().map(|s| self.ingest.view(s)),
            compute: state.compute.as_ref().map(|s| self.compute.view(s)),
            storage: state.storage.as_ref().map(|s| self.storage.view(s)),
            kubelet: state.kubelet.as_ref().map(|s| self.kubelet.view(s)),
        }
    }
}
