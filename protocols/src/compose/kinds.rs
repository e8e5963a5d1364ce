//! The closed set of families a composition can hold, and everything that is written
//! once per family: the wrapping of its messages, timers, observations, state, views
//! and disk into the composition's, its lens, and the dispatch of each handler, figure
//! and check to it. One macro writes them from the list at the bottom, so adding a
//! family to compositions is one line.
//!
//! Every message, timer, observation and disk write carries the index of its part, so
//! a system may hold several parts of one family (two Raft stores). Dispatch is a
//! `match` on the family: the engine still runs one monomorphised `Sim<Composed>`, no
//! `dyn` on the hot path.

use super::{seam, Composed, Part, PartIx, State};
use crate::catalogue::{Catalogue, FigureDoc, Predicate, PropertyDoc, RequestEvent};
use crate::systems::projected::project;
use hasim_sim::{Ctx, Durable, Inspect, Lens, NodeId, Projection, Protocol, Within};
use std::collections::BTreeMap;
use std::marker::PhantomData;

/// How a part's types become the composition's: the part's index, and the host id of
/// its node 0 (to translate the node ids its observations name).
pub struct PartLens<P> {
    part: PartIx,
    base: u32,
    protocol: PhantomData<fn() -> P>,
}

impl<P> PartLens<P> {
    pub(super) fn of(part: PartIx, p: &Part) -> Self {
        PartLens {
            part,
            base: p.span.base,
            protocol: PhantomData,
        }
    }
}

/// The node a part's observation names, in the composition's ids.
fn host_node(base: u32, node: NodeId) -> NodeId {
    NodeId(base + node.0)
}

macro_rules! kinds {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident($ty:ty), model $model:literal, after $after:path;
    )+) => {
        /// A part's configuration: a protocol of one of the families.
        #[derive(Clone, Debug)]
        pub enum Kind {
            $( $(#[doc = $doc])* $variant($ty), )+
        }

        $(
            impl From<$ty> for Kind {
                fn from(p: $ty) -> Kind {
                    Kind::$variant(p)
                }
            }
        )+

        impl Kind {
            /// The model's name (`protocol = "NAME"` when it runs alone).
            pub fn model(&self) -> &'static str {
                match self {
                    $( Kind::$variant(_) => $model, )+
                }
            }

            /// The figures the family reports.
            pub fn figure_docs(&self) -> Vec<FigureDoc> {
                match self {
                    $( Kind::$variant(_) => <$ty as Catalogue>::figure_docs(), )+
                }
            }

            /// The properties the family knows.
            pub fn property_docs(&self) -> Vec<PropertyDoc> {
                match self {
                    $( Kind::$variant(_) => <$ty as Catalogue>::property_docs(), )+
                }
            }

            /// The end checks the family can judge.
            pub fn end_check_docs(&self) -> Vec<PropertyDoc> {
                match self {
                    $( Kind::$variant(_) => <$ty as Catalogue>::end_check_docs(), )+
                }
            }

            /// Whether the family's figures or checks read observations.
            pub fn keeps_observations(&self) -> bool {
                match self {
                    $( Kind::$variant(_) => <$ty as Catalogue>::KEEPS_OBSERVATIONS, )+
                }
            }
        }

        /// A message: one part's, with the part's index.
        #[derive(Clone, Debug)]
        pub enum Msg {
            $( $(#[doc = $doc])* $variant(PartIx, <$ty as Protocol>::Msg), )+
        }

        /// A timer: one part's.
        #[derive(Clone, Copy, Debug)]
        pub enum Timer {
            $( $(#[doc = $doc])* $variant(PartIx, <$ty as Protocol>::Timer), )+
        }

        /// An observation: one part's, with the host id of the part's node 0.
        #[derive(Clone, Debug)]
        pub enum Observation {
            $( $(#[doc = $doc])* $variant(PartIx, u32, <$ty as Protocol>::Observation), )+
        }

        /// A durable write: one part's.
        #[derive(Clone, Debug)]
        pub enum DiskWrite {
            $(
                $(#[doc = $doc])*
                $variant(PartIx, <<$ty as Protocol>::Durable as Durable>::Write),
            )+
        }

        /// One part's durable image on a node.
        #[derive(Clone, Debug)]
        pub enum PartDisk {
            $( $(#[doc = $doc])* $variant(<$ty as Protocol>::Durable), )+
        }

        /// One part's volatile state on a node.
        pub enum PartState {
            $( $(#[doc = $doc])* $variant(<$ty as Protocol>::State), )+
        }

        /// One part's view of a node.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum PartView {
            $( $(#[doc = $doc])* $variant(<$ty as Protocol>::View), )+
        }

        impl Observation {
            /// The part that made it.
            pub fn part(&self) -> PartIx {
                match self {
                    $( Observation::$variant(i, _, _) => *i, )+
                }
            }
        }

        impl Durable for super::Disk {
            type Write = DiskWrite;
            fn apply(&mut self, write: &DiskWrite) {
                match write {
                    $(
                        DiskWrite::$variant(i, w) => {
                            let d = self.entry(*i, || PartDisk::$variant(Default::default()));
                            match d {
                                PartDisk::$variant(d) => d.apply(w),
                                #[allow(unreachable_patterns)]
                                _ => panic!("part {i} wrote a {} disk write to another family's disk", $model),
                            }
                        }
                    )+
                }
            }
        }

        $(
            impl Lens for PartLens<$ty> {
                type Host = Composed;
                type Part = $ty;
                fn msg(&self, msg: <$ty as Protocol>::Msg) -> Msg {
                    Msg::$variant(self.part, msg)
                }
                fn timer(&self, timer: <$ty as Protocol>::Timer, _: u32) -> Timer {
                    Timer::$variant(self.part, timer)
                }
                fn observation(&self, observation: <$ty as Protocol>::Observation) -> Observation {
                    Observation::$variant(self.part, self.base, observation)
                }
                fn write(
                    &self,
                    write: <<$ty as Protocol>::Durable as Durable>::Write,
                ) -> DiskWrite {
                    DiskWrite::$variant(self.part, write)
                }
            }
        )+

        impl hasim_sim::Describe for Msg {
            fn describe(&self, d: &mut hasim_sim::Detail<'_>) {
                match self {
                    $( Msg::$variant(_, m) => m.describe(d.label($model)), )+
                }
            }
        }

        impl hasim_sim::Describe for Timer {
            fn describe(&self, d: &mut hasim_sim::Detail<'_>) {
                match self {
                    $( Timer::$variant(_, t) => t.describe(d.label($model)), )+
                }
            }
        }

        impl hasim_sim::Describe for Observation {
            fn describe(&self, d: &mut hasim_sim::Detail<'_>) {
                match self {
                    $( Observation::$variant(_, _, o) => o.describe(d.label($model)), )+
                }
            }
        }

        impl hasim_sim::Describe for DiskWrite {
            fn describe(&self, d: &mut hasim_sim::Detail<'_>) {
                match self {
                    $( DiskWrite::$variant(_, w) => w.describe(d.label($model)), )+
                }
            }
        }

        impl Composed {
            /// Starts part `i` on the current node.
            pub(super) fn start_part(
                &self,
                ctx: &mut impl Ctx<Self>,
                i: PartIx,
                disk: &super::Disk,
            ) -> PartState {
                let part = &self.parts[usize::from(i)];
                match &part.kind {
                    $(
                        Kind::$variant(p) => {
                            let fresh;
                            let durable = match disk.of(i) {
                                Some(PartDisk::$variant(d)) => d,
                                _ => {
                                    fresh = <<$ty as Protocol>::Durable>::default();
                                    &fresh
                                }
                            };
                            let mut w = Within::with_lens(ctx, part.span, PartLens::<$ty>::of(i, part));
                            PartState::$variant(p.start(&mut w, durable))
                        }
                    )+
                }
            }

            /// Hands a message to its part on the current node.
            pub(super) fn part_message(
                &self,
                ctx: &mut impl Ctx<Self>,
                state: &mut State,
                source: NodeId,
                msg: Msg,
            ) {
                match msg {
                    $(
                        Msg::$variant(i, m) => {
                            let part = &self.parts[usize::from(i)];
                            let (Kind::$variant(p), Some(source)) = (&part.kind, part.span.part(source)) else {
                                return;
                            };
                            let (hear, capture) = self.listens(i, ctx.id());
                            let Some(PartState::$variant(s)) = state.part_mut(i) else {
                                return;
                            };
                            let mut w = Within::with_lens(&mut *ctx, part.span, PartLens::<$ty>::of(i, part));
                            if hear { w = w.hearing(); }
                            if capture { w = w.capturing(); }
                            p.on_message(&mut w, s, source, m);
                            if hear || capture {
                                let (heard, captured) = (w.heard(), w.captured());
                                $after(self, ctx, state, i, heard, captured);
                            }
                        }
                    )+
                }
            }

            /// Hands a timer to its part on the current node.
            pub(super) fn part_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut State, timer: Timer) {
                match timer {
                    $(
                        Timer::$variant(i, t) => {
                            let part = &self.parts[usize::from(i)];
                            let Kind::$variant(p) = &part.kind else {
                                return;
                            };
                            let (hear, capture) = self.listens(i, ctx.id());
                            let Some(PartState::$variant(s)) = state.part_mut(i) else {
                                return;
                            };
                            let mut w = Within::with_lens(&mut *ctx, part.span, PartLens::<$ty>::of(i, part));
                            if hear { w = w.hearing(); }
                            if capture { w = w.capturing(); }
                            p.on_timer(&mut w, s, t);
                            if hear || capture {
                                let (heard, captured) = (w.heard(), w.captured());
                                $after(self, ctx, state, i, heard, captured);
                            }
                        }
                    )+
                }
            }

            /// Part `i`'s view of a node's state.
            pub(super) fn part_view(&self, i: PartIx, state: &PartState) -> Option<PartView> {
                match (&self.parts[usize::from(i)].kind, state) {
                    $( (Kind::$variant(p), PartState::$variant(s)) => Some(PartView::$variant(p.view(s))), )+
                    #[allow(unreachable_patterns)]
                    _ => None,
                }
            }

            /// Part `i`'s predicate for its property `name`, judged on the whole run.
            pub(super) fn part_property(&self, i: PartIx, name: &str) -> Option<Predicate<Self>> {
                let part = &self.parts[usize::from(i)];
                match &part.kind {
                    $(
                        Kind::$variant(p) => {
                            let inner = p.property(name)?;
                            Some(project(
                                part.span,
                                inner,
                                move |v: &super::View| match v.of(i) {
                                    Some(PartView::$variant(v)) => Some(v.clone()),
                                    _ => None,
                                },
                                move |o: &Observation| match o {
                                    Observation::$variant(j, _, o) if *j == i => Some(o.clone()),
                                    _ => None,
                                },
                            ))
                        }
                    )+
                }
            }

            /// Part `i`'s figures of a finished run, in its own names.
            pub(super) fn part_figures(
                run: &impl Inspect<Self>,
                i: PartIx,
                out: &mut BTreeMap<String, f64>,
            ) {
                let part = &run.protocol().parts[usize::from(i)];
                match &part.kind {
                    $(
                        Kind::$variant(p) => {
                            let view = Projection::new(
                                run,
                                p,
                                part.span,
                                move |s: &State| match s.part(i) {
                                    Some(PartState::$variant(s)) => Some(s),
                                    _ => None,
                                },
                                move |d: &super::Disk| match d.of(i) {
                                    Some(PartDisk::$variant(d)) => d,
                                    _ => {
                                        static EMPTY: std::sync::OnceLock<<$ty as Protocol>::Durable> =
                                            std::sync::OnceLock::new();
                                        EMPTY.get_or_init(Default::default)
                                    }
                                },
                                move |o: &Observation| match o {
                                    Observation::$variant(j, _, o) if *j == i => Some(o.clone()),
                                    _ => None,
                                },
                            );
                            <$ty as Catalogue>::figures(&view, out);
                        }
                    )+
                }
            }

            /// Part `i`'s end check `name` on a finished run.
            pub(super) fn part_end_check(
                run: &impl Inspect<Self>,
                i: PartIx,
                name: &str,
            ) -> Option<Result<(), String>> {
                let part = &run.protocol().parts[usize::from(i)];
                match &part.kind {
                    $(
                        Kind::$variant(p) => {
                            let view = Projection::new(
                                run,
                                p,
                                part.span,
                                move |s: &State| match s.part(i) {
                                    Some(PartState::$variant(s)) => Some(s),
                                    _ => None,
                                },
                                move |d: &super::Disk| match d.of(i) {
                                    Some(PartDisk::$variant(d)) => d,
                                    _ => {
                                        static EMPTY: std::sync::OnceLock<<$ty as Protocol>::Durable> =
                                            std::sync::OnceLock::new();
                                        EMPTY.get_or_init(Default::default)
                                    }
                                },
                                move |o: &Observation| match o {
                                    Observation::$variant(j, _, o) if *j == i => Some(o.clone()),
                                    _ => None,
                                },
                            );
                            <$ty as Catalogue>::end_check(&view, name)
                        }
                    )+
                }
            }
        }

        /// The role a part's view shows.
        pub(super) fn view_role(view: &PartView) -> Option<&'static str> {
            match view {
                $( PartView::$variant(v) => <$ty as Catalogue>::role(v), )+
            }
        }

        /// An observation's part in a client request.
        pub(super) fn request(o: &Observation) -> Option<RequestEvent> {
            match o {
                $( Observation::$variant(_, _, o) => <$ty as Catalogue>::request(o), )+
            }
        }

        /// A suspicion an observation states, about a node in the composition's ids.
        pub(super) fn suspicion(o: &Observation) -> Option<(NodeId, bool)> {
            match o {
                $(
                    Observation::$variant(_, base, o) => <$ty as Catalogue>::suspicion(o)
                        .map(|(n, s)| (host_node(*base, n), s)),
                )+
            }
        }
    };
}

kinds! {
    /// A request/response service (`ping`).
    Ping(crate::ping::Ping), model "ping", after seam::none;
    /// A balancer tier (`balancing`): clients, balancers, backends.
    Balancing(crate::balancing::Balancing), model "balancing", after seam::front_after;
    /// A fixed-heartbeat detector.
    Heartbeat(crate::detection::Heartbeat), model "heartbeat", after seam::none;
    /// A phi-accrual detector.
    PhiAccrual(crate::detection::PhiAccrual), model "phi_accrual", after seam::none;
    /// A SWIM membership.
    Swim(crate::detection::Swim), model "swim", after seam::none;
    /// A Prometheus-style scraping monitor.
    Prometheus(crate::detection::Prometheus), model "prometheus", after seam::none;
    /// A Dynamo-style quorum store.
    Quorum(crate::replication::quorum::Quorum), model "quorum", after seam::store_after_quorum;
    /// A Kafka-style in-sync-replica log.
    Isr(crate::replication::isr::Isr), model "isr", after seam::none;
    /// k-of-n redundancy with repair.
    Redundancy(crate::redundancy::Redundancy), model "redundancy", after seam::none;
    /// A restart supervisor.
    Supervisor(crate::recovery::supervisor::Supervisor), model "supervisor", after seam::none;
    /// HDFS-style re-replication.
    Rereplication(crate::recovery::rereplication::Rereplication), model "rereplication", after seam::none;
    /// A batch or streaming compute job.
    Compute(crate::recovery::compute::Compute), model "compute", after seam::none;
    /// A Raft key-value store.
    Raft(crate::replication::raft::Raft), model "raft", after seam::store_after_raft;
    /// A primary-backup store.
    PrimaryBackup(crate::replication::primary_backup::PrimaryBackup), model "primary_backup", after seam::store_after_primary_backup;
}
