//! Registry entry for `data_platform` (hasim_protocols::systems::data_platform): ingest
//! → compute → storage. Roles `broker` and `producer` are the isr model's (first);
//! `driver`, `namenode` and `worker` (a datanode with its rack, and an executor run as
//! a supervised process) follow. Its figures are each family's with a stage prefix
//! (`ingest_`, `compute_`, `storage_`, `executor_`) plus the pipeline's own: data lost
//! and how long the pipeline as a whole took to recover. The catalogue is the system's
//! own, in `hasim_protocols::systems::data_platform::catalogue`.

use super::groups::{invalid, Groups};
use super::rereplication::RereplicationModel;
use super::{compute::ComputeModel, isr::IsrModel, params};
use super::{GroupParams, Model, ParamError, Params, RoleDoc};
use hasim_protocols::recovery::supervisor::{ServiceParams, Supervisor};
use hasim_protocols::systems::data_platform::{catalogue::WorkerParams, DataPlatform};
use hasim_sim::Span;

/// The `data_platform` model.
pub struct DataPlatformModel;

const ROLES: [&str; 5] = ["broker", "producer", "driver", "namenode", "worker"];

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

    fn roles() -> Vec<RoleDoc> {
        // The ingest log's controllers are its first brokers (`controllers`), never
        // nodes of their own: the platform lays out brokers and producers first.
        let mut roles: Vec<RoleDoc> = IsrModel::roles()
            .into_iter()
            .filter(|r| r.role != "controller")
            .collect();
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
        roles.push(RoleDoc {
            role: "worker",
            doc: "a datanode of the store and an executor of the job, whose process runs under a kubelet (after the brokers and producers)",
            params: WorkerParams::docs(),
        });
        roles
    }

    fn build(nodes: u32, groups: &[GroupParams<'_>]) -> Result<DataPlatform, ParamError> {
        Groups::new(Self::NAME, &ROLES, groups)?;
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
                    executor
                        .validate()
                        .map_err(|m| invalid(i, format!("executor: {m}")))?;
                    for n in g.nodes.clone() {
                        services[(n - base) as usize] = Some(executor.clone());
                    }
                    worker += 1;
                }
                _ => unreachable!("Groups::new refused unknown roles"),
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
}
