//! Registry entry for `data_platform` (hasim_protocols::systems::data_platform): ingest
//! → compute → storage. Roles `broker` and `producer` are the isr model's (first);
//! `driver`, `namenode` and `worker` (a datanode with its rack, and an executor run as
//! a supervised process) follow. Its figures are each family's with a stage prefix
//! (`ingest_`, `compute_`, `storage_`, `executor_`) plus the pipeline's own: data lost
//! and how long the pipeline as a whole took to recover.

mod pipeline;

use super::rereplication::RereplicationModel;
use super::supervisor::SupervisorModel;
use super::{compute::ComputeModel, isr::IsrModel, params, unknown_role};
use super::{FigureDoc, GroupParams, Model, ParamDoc, ParamError, Predicate, PropertyDoc};
use super::{RoleDoc, Unit};
use hasim_protocols::catalogue::Catalogue;
use hasim_protocols::recovery::compute::Compute;
use hasim_protocols::recovery::rereplication::Rereplication;
use hasim_protocols::recovery::supervisor::{self as sv, ServiceParams, Supervisor};
use hasim_protocols::replication::isr::{self, Isr};
use hasim_protocols::systems::data_platform::{
    ComputeLens, DataPlatform, IngestLens, KubeletLens, Observation, StorageLens, View,
};
use hasim_protocols::systems::projected::{prefixed, project};
use hasim_sim::{Projection, Sim, Span};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The `data_platform` model.
pub struct DataPlatformModel;

const ROLES: [&str; 5] = ["broker", "producer", "driver", "namenode", "worker"];

/// A worker's parameters: its datanode's rack and its executor process's supervision.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkerParams {
    rack: String,
    #[serde(default)]
    executor: ServiceParams,
}

pub(super) fn ingest_part(sim: &Sim<DataPlatform>) -> Projection<'_, DataPlatform, Isr> {
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

pub(super) fn compute_part(sim: &Sim<DataPlatform>) -> Projection<'_, DataPlatform, Compute> {
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

pub(super) fn storage_part(sim: &Sim<DataPlatform>) -> Projection<'_, DataPlatform, Rereplication> {
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

pub(super) fn kubelet_part(sim: &Sim<DataPlatform>) -> Projection<'_, DataPlatform, Supervisor> {
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

/// The groups of one part, renumbered into its span, and each one's index in the file.
struct Sub<'a> {
    groups: Vec<GroupParams<'a>>,
    index: Vec<usize>,
}

impl<'a> Sub<'a> {
    fn new() -> Self {
        Sub {
            groups: Vec::new(),
            index: Vec::new(),
        }
    }

    fn push(
        &mut self,
        file_index: usize,
        role: &'a str,
        g: &GroupParams<'_>,
        base: u32,
        params: &'a toml::Table,
    ) {
        self.groups.push(GroupParams {
            role,
            nodes: g.nodes.start - base..g.nodes.end - base,
            params,
        });
        self.index.push(file_index);
    }

    /// A part's error, naming the group in the file.
    fn locate(&self, e: ParamError) -> ParamError {
        ParamError {
            group: self.index.get(e.group).copied().unwrap_or(0),
            ..e
        }
    }
}

impl Model for DataPlatformModel {
    type Protocol = DataPlatform;
    const NAME: &'static str = "data_platform";
    const SUMMARY: &'static str =
        "a composed data platform: an in-sync-replica ingest log → a job on supervised executors → rack-aware re-replicated storage";
    const KEEPS_OBSERVATIONS: bool = true;

    fn roles() -> Vec<RoleDoc> {
        let mut roles: Vec<RoleDoc> = IsrModel::roles();
        roles.extend(
            ComputeModel::roles()
                .into_iter()
                .filter(|r| r.role == "driver"),
        );
        roles.extend(
            RereplicationModel::roles()
                .into_iter()
                .filter(|r| r.role == "namenode"),
        );
        let mut worker = RoleDoc {
            role: "worker",
            doc: "a datanode of the store and an executor of the job, whose process runs under a kubelet (after the brokers and producers)",
            params: RereplicationModel::roles()
                .into_iter()
                .filter(|r| r.role == "datanode")
                .flat_map(|r| r.params)
                .collect(),
        };
        worker.params.push(ParamDoc {
            name: "executor".into(),
            default: "{}".into(),
            doc: "the executor process's supervision and failures: the supervisor model's service params (restart_policy, liveness, backoff_*, crash_mtbf, hang_mtbf, ...)",
        });
        roles.push(worker);
        roles
    }

    fn figures() -> Vec<FigureDoc> {
        static INGEST: OnceLock<Vec<FigureDoc>> = OnceLock::new();
        static COMPUTE: OnceLock<Vec<FigureDoc>> = OnceLock::new();
        static STORAGE: OnceLock<Vec<FigureDoc>> = OnceLock::new();
        static EXECUTOR: OnceLock<Vec<FigureDoc>> = OnceLock::new();
        let f = |name, unit, doc| FigureDoc { name, unit, doc };
        let mut figures = vec![
            f("data_lost", Unit::Count, "acknowledged ingest writes missing from the final logs plus blocks that at some time had no live replica"),
            f("pipeline_outages", Unit::Count, "times the pipeline broke: a log partition without a live leader, the job recovering, a block without a live replica, or the driver or namenode down"),
            f("pipeline_recovery_time_mean", Unit::Seconds, "mean time from the pipeline breaking to every stage healthy again (missing if it never broke)"),
            f("pipeline_recovery_time_max", Unit::Seconds, "the longest such recovery"),
            f("pipeline_downtime_fraction", Unit::Fraction, "fraction of the run the pipeline was broken"),
        ];
        figures.extend(prefixed(&INGEST, "ingest_", IsrModel::figures));
        figures.extend(prefixed(&COMPUTE, "compute_", ComputeModel::figures));
        figures.extend(prefixed(&STORAGE, "storage_", RereplicationModel::figures));
        figures.extend(prefixed(&EXECUTOR, "executor_", SupervisorModel::figures));
        figures
    }

    fn properties() -> Vec<PropertyDoc> {
        let mut p = vec![PropertyDoc {
            name: "executor_follows_process",
            doc: "a worker runs its executor exactly while its kubelet's process is running and responsive",
        }];
        p.extend(IsrModel::properties());
        p.extend(ComputeModel::properties());
        p.extend(RereplicationModel::properties());
        p.extend(SupervisorModel::properties());
        p
    }

    fn end_checks() -> Vec<PropertyDoc> {
        let mut checks = IsrModel::end_checks();
        checks.extend(RereplicationModel::end_checks());
        checks
    }

    fn build(nodes: u32, groups: &[GroupParams<'_>]) -> Result<DataPlatform, ParamError> {
        let role_err = |group: usize, message: String| ParamError {
            group,
            role: true,
            message,
        };
        let base = groups
            .iter()
            .take_while(|g| matches!(g.role, "broker" | "producer"))
            .map(|g| g.nodes.end)
            .last()
            .unwrap_or(0);
        let workers: Vec<(usize, WorkerParams)> = groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.role == "worker")
            .map(|(i, g)| Ok((i, params::<WorkerParams>(i, g.params)?)))
            .collect::<Result<_, ParamError>>()?;
        let racks: Vec<toml::Table> = workers
            .iter()
            .map(|(_, w)| {
                let mut t = toml::Table::new();
                t.insert("rack".into(), toml::Value::String(w.rack.clone()));
                t
            })
            .collect();
        let empty = toml::Table::new();
        let (mut ingest, mut job, mut store) = (Sub::new(), Sub::new(), Sub::new());
        let mut services: Vec<Option<ServiceParams>> = vec![None; (nodes - base) as usize];
        let mut worker = 0;
        for (i, g) in groups.iter().enumerate() {
            let in_log = g.nodes.end <= base;
            match g.role {
                "broker" | "producer" if in_log => ingest.push(i, g.role, g, 0, g.params),
                "broker" | "producer" => {
                    return Err(role_err(i, "the data platform lays nodes out as brokers and producers first, then the cluster (driver, namenode, workers): put the ingest groups first".into()));
                }
                "driver" => job.push(i, "driver", g, base, g.params),
                "namenode" => store.push(i, "namenode", g, base, g.params),
                "worker" => {
                    job.push(i, "executor", g, base, &empty);
                    store.push(i, "datanode", g, base, &racks[worker]);
                    let executor = &workers[worker].1.executor;
                    executor.validate().map_err(|message| ParamError {
                        group: i,
                        role: false,
                        message: format!("executor: {message}"),
                    })?;
                    for n in g.nodes.clone() {
                        services[(n - base) as usize] = Some(executor.clone());
                    }
                    worker += 1;
                }
                other => return Err(unknown_role(i, other, Self::NAME, &ROLES)),
            }
        }
        if ingest.groups.is_empty() {
            return Err(role_err(
                0,
                "the data platform needs broker and producer groups first (the ingest log)".into(),
            ));
        }
        let cluster = nodes - base;
        Ok(DataPlatform {
            ingest: IsrModel::build(base, &ingest.groups).map_err(|e| ingest.locate(e))?,
            compute: ComputeModel::build(cluster, &job.groups).map_err(|e| job.locate(e))?,
            storage: RereplicationModel::build(cluster, &store.groups)
                .map_err(|e| store.locate(e))?,
            kubelet: Supervisor::new(services),
            log: Span::new(0, base),
            cluster: Span::new(base, cluster),
        })
    }

    fn property(d: &DataPlatform, name: &str) -> Option<Predicate<DataPlatform>> {
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
        if let Some(p) = IsrModel::property(&d.ingest, name) {
            return Some(project(d.log, p, |v: &View| v.ingest, IngestLens::unwrap));
        }
        if let Some(p) = ComputeModel::property(&d.compute, name) {
            return Some(project(
                d.cluster,
                p,
                |v: &View| v.compute,
                ComputeLens::unwrap,
            ));
        }
        if let Some(p) = RereplicationModel::property(&d.storage, name) {
            return Some(project(
                d.cluster,
                p,
                |v: &View| v.storage,
                StorageLens::unwrap,
            ));
        }
        let p = SupervisorModel::property(&d.kubelet, name)?;
        Some(project(
            d.cluster,
            p,
            |v: &View| v.kubelet,
            KubeletLens::unwrap,
        ))
    }

    fn role(view: &View) -> Option<&'static str> {
        view.ingest.as_ref().and_then(IsrModel::role)
    }

    fn request(o: &Observation) -> Option<(bool, Option<hasim_sim::SimDuration>)> {
        match o {
            Observation::Ingest(o) => IsrModel::request(o),
            _ => None,
        }
    }

    fn report(sim: &Sim<DataPlatform>, out: &mut BTreeMap<String, f64>) {
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

    fn end_check(sim: &Sim<DataPlatform>, name: &str) -> Option<Result<(), String>> {
        <Isr as Catalogue>::end_check(&ingest_part(sim), name)
            .or_else(|| <Rereplication as Catalogue>::end_check(&storage_part(sim), name))
    }
}
