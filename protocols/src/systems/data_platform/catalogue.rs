//! The catalogue of `data_platform`: the pipeline's own figures (data lost, outages,
//! recovery and downtime, from the merged unhealthy intervals of every stage in
//! `pipeline`), each part's figures under its prefix (`ingest_`, `compute_`,
//! `storage_`, `executor_`), every part's properties and end checks judged on its
//! projection, and `executor_follows_process`, the seam between kubelet and executor.

use super::pipeline;
use super::{ComputeLens, DataPlatform, IngestLens, KubeletLens, Observation, StorageLens, View};
use crate::catalogue::{Catalogue, FigureDoc, Params, Predicate, PropertyDoc, Unit};
use crate::recovery::compute::Compute;
use crate::recovery::rereplication::Rereplication;
use crate::recovery::supervisor::{self as sv, Supervisor};
use crate::replication::isr::{self, Isr};
use crate::systems::projected::{prefixed, project};
use hasim_sim::{Inspect, Projection};
use std::collections::BTreeMap;

/// A worker's parameters as a scenario writes them: its datanode's rack and its
/// executor process's supervision.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerParams {
    /// The datanode's rack (required).
    pub rack: String,
    /// The executor process's supervision and failures.
    #[serde(default)]
    pub executor: sv::ServiceParams,
}

impl Params for WorkerParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[
        ("rack", "the datanode's rack, for rack-aware placement (required)"),
        ("executor", "the executor process's supervision and failures: the supervisor model's service params (restart_policy, liveness, backoff_*, crash_mtbf, hang_mtbf, ...)"),
    ];
}

pub fn ingest_part(sim: &impl Inspect<DataPlatform>) -> Projection<'_, DataPlatform, Isr> {
    let d = sim.protocol();
    Projection::new(
        sim,
        &d.ingest,
        d.log,
        |s| s.ingest(),
        |k| &k.ingest,
        IngestLens::unwrap,
    )
}

pub fn compute_part(sim: &impl Inspect<DataPlatform>) -> Projection<'_, DataPlatform, Compute> {
    let d = sim.protocol();
    Projection::new(
        sim,
        &d.compute,
        d.cluster,
        |s| s.compute(),
        |k| &k.compute,
        ComputeLens::unwrap,
    )
}

pub fn storage_part(
    sim: &impl Inspect<DataPlatform>,
) -> Projection<'_, DataPlatform, Rereplication> {
    let d = sim.protocol();
    Projection::new(
        sim,
        &d.storage,
        d.cluster,
        |s| s.storage(),
        |k| &k.storage,
        StorageLens::unwrap,
    )
}

pub fn kubelet_part(sim: &impl Inspect<DataPlatform>) -> Projection<'_, DataPlatform, Supervisor> {
    let d = sim.protocol();
    Projection::new(
        sim,
        &d.kubelet,
        d.cluster,
        |s| s.kubelet(),
        |k| &k.kubelet,
        KubeletLens::unwrap,
    )
}

impl Catalogue for DataPlatform {
    const KEEPS_OBSERVATIONS: bool = true;

    fn figure_docs() -> Vec<FigureDoc> {
        let f = FigureDoc::new;
        let mut figures = vec![
            f("data_lost", Unit::Count, "acknowledged ingest writes missing from the final logs plus blocks that at some time had no live replica"),
            f("pipeline_outages", Unit::Count, "times the pipeline broke: a log partition without a live leader, the job recovering, a block without a live replica, or the driver or namenode down"),
            f("pipeline_recovery_time_mean", Unit::Seconds, "mean time from the pipeline breaking to every stage healthy again (missing if it never broke)"),
            f("pipeline_recovery_time_max", Unit::Seconds, "the longest such recovery"),
            f("pipeline_downtime_fraction", Unit::Fraction, "fraction of the run the pipeline was broken"),
        ];
        figures.extend(prefixed("ingest_", <Isr as Catalogue>::figure_docs()));
        figures.extend(prefixed("compute_", <Compute as Catalogue>::figure_docs()));
        figures.extend(prefixed(
            "storage_",
            <Rereplication as Catalogue>::figure_docs(),
        ));
        figures.extend(prefixed(
            "executor_",
            <Supervisor as Catalogue>::figure_docs(),
        ));
        figures
    }

    fn property_docs() -> Vec<PropertyDoc> {
        let mut p = vec![PropertyDoc {
            name: "executor_follows_process",
            doc: "a worker runs its executor exactly while its kubelet's process is running and responsive",
        }];
        p.extend(<Isr as Catalogue>::property_docs());
        p.extend(<Compute as Catalogue>::property_docs());
        p.extend(<Rereplication as Catalogue>::property_docs());
        p.extend(<Supervisor as Catalogue>::property_docs());
        p
    }

    fn end_check_docs() -> Vec<PropertyDoc> {
        let mut checks = <Isr as Catalogue>::end_check_docs();
        checks.extend(<Rereplication as Catalogue>::end_check_docs());
        checks
    }

    fn property(&self, name: &str) -> Option<Predicate<DataPlatform>> {
        if name == "executor_follows_process" {
            return Some(Box::new(|w| {
                for (n, v) in w.views.iter().enumerate() {
                    let Some(View {
                        kubelet: Some(k),
                        compute,
                        ..
                    }) = v
                    else {
                        continue;
                    };
                    let worker = *k != sv::View::Idle;
                    if worker && (*k == sv::View::Running) != compute.is_some() {
                        return Err(format!(
                            "node {n}: the kubelet's process is {k:?} but its executor {}",
                            if compute.is_some() {
                                "runs"
                            } else {
                                "does not"
                            }
                        ));
                    }
                }
                Ok(())
            }));
        }
        if let Some(p) = self.ingest.property(name) {
            return Some(project(
                self.log,
                p,
                |v: &View| v.ingest,
                IngestLens::unwrap,
            ));
        }
        if let Some(p) = self.compute.property(name) {
            return Some(project(
                self.cluster,
                p,
                |v: &View| v.compute,
                ComputeLens::unwrap,
            ));
        }
        if let Some(p) = self.storage.property(name) {
            return Some(project(
                self.cluster,
                p,
                |v: &View| v.storage,
                StorageLens::unwrap,
            ));
        }
        let p = self.kubelet.property(name)?;
        Some(project(
            self.cluster,
            p,
            |v: &View| v.kubelet,
            KubeletLens::unwrap,
        ))
    }

    fn role(view: &View) -> Option<&'static str> {
        view.ingest.as_ref().and_then(<Isr as Catalogue>::role)
    }

    fn request(o: &Observation) -> Option<crate::catalogue::RequestEvent> {
        match o {
            Observation::Ingest(o) => <Isr as Catalogue>::request(o),
            _ => None,
        }
    }

    fn figures(sim: &impl Inspect<Self>, out: &mut BTreeMap<String, f64>) {
        let mut put = |prefix: &str, figures: BTreeMap<String, f64>| {
            out.extend(
                figures
                    .into_iter()
                    .map(|(k, v)| (format!("{prefix}{k}"), v)),
            );
        };
        put("ingest_", isr::report::figures(&ingest_part(sim)));
        let mut f = BTreeMap::new();
        <Compute as Catalogue>::figures(&compute_part(sim), &mut f);
        put("compute_", std::mem::take(&mut f));
        <Rereplication as Catalogue>::figures(&storage_part(sim), &mut f);
        put("storage_", std::mem::take(&mut f));
        <Supervisor as Catalogue>::figures(&kubelet_part(sim), &mut f);
        put("executor_", f);
        let lost = out.get("ingest_lost_writes").copied().unwrap_or(0.0)
            + out.get("storage_blocks_lost").copied().unwrap_or(0.0);
        out.insert("data_lost".into(), lost);
        let outages = pipeline::outages(sim);
        let lengths: Vec<f64> = outages
            .iter()
            .map(|(a, b)| b.saturating_since(*a).as_secs_f64())
            .collect();
        let total: f64 = lengths.iter().sum();
        out.insert("pipeline_outages".into(), lengths.len() as f64);
        if !lengths.is_empty() {
            out.insert(
                "pipeline_recovery_time_mean".into(),
                total / lengths.len() as f64,
            );
            out.insert(
                "pipeline_recovery_time_max".into(),
                lengths.iter().copied().fold(0.0, f64::max),
            );
        }
        let run = sim.now().as_secs_f64();
        if run > 0.0 {
            out.insert("pipeline_downtime_fraction".into(), total / run);
        }
    }

    fn end_check(sim: &impl Inspect<Self>, name: &str) -> Option<Result<(), String>> {
        <Isr as Catalogue>::end_check(&ingest_part(sim), name)
            .or_else(|| <Rereplication as Catalogue>::end_check(&storage_part(sim), name))
    }
}
