//! Registry entries for the failure detectors (hasim_protocols::detection): `heartbeat`,
//! `phi_accrual`, `swim` and `prometheus`, each run alone on every node as
//! a protocol of its own, judged by the Chen–Toueg–Aguilera figures (detection time,
//! mistakes, message cost) of `DetectionReport`. The properties and figures are the
//! detectors' own, in `hasim_protocols::detection::catalogue`.
//!
//! One generic [`DetectorModel`] serves all four; what differs between them (name,
//! parameters, who watches whom) is a [`Registered`] implementation each. A detector's
//! parameters are one set for the whole run (a heartbeat's interval matters to the
//! sender and the monitor alike), so a scenario writes them once, on any group.
//!
//! Roles follow the detectors' own notion of who watches whom, and the layout is
//! checked against it: the central detectors (heartbeat and phi accrual with
//! `monitors = "one"`, and Prometheus) watch from node 0, so the first group must be a
//! single `monitor`, followed by `member`s; all-to-all heartbeats and phi accrual
//! (`monitors = "all"`) and SWIM have `member`s only.

use super::groups::{invalid, Groups};
use super::{Catalogue, ParamError, RoleDoc};
use super::{GroupParams, Model, Params};
use hasim_protocols::detection::{
    memory, Detector, Heartbeat, HeartbeatParams, InvalidParams, Monitors, PhiAccrual,
    PhiAccrualParams, Prometheus, PrometheusParams, Swim, SwimParams,
};
use std::marker::PhantomData;

/// Who watches whom, as the roles of a scenario must show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Node 0 (the one `monitor`) watches every `member`.
    Central,
    /// Every `member` watches every other.
    Peers,
}

/// What the registry needs to know about a detector beyond [`Detector`].
pub trait Registered: Detector + Catalogue + Sized {
    /// Its parameters, as a scenario writes them.
    type Params: Params + PartialEq;
    /// `protocol = "NAME"`.
    const NAME: &'static str;
    /// One line for `hasim list`.
    const SUMMARY: &'static str;
    /// What the monitor does, for the detectors that have one.
    const MONITOR_DOC: &'static str;
    /// What a member does.
    const MEMBER_DOC: &'static str;
    /// The layout these parameters ask for.
    fn layout(params: &Self::Params) -> Layout;
    /// The detector, or why the parameters make no sense.
    fn new(params: Self::Params) -> Result<Self, InvalidParams>;
    /// Bytes a watching node keeps per watched node beyond what every node keeps for
    /// every node, and what they hold; for the memory estimate (`hasim_protocols::detection::memory`).
    fn watched_bytes(_params: &Self::Params) -> (u64, String) {
        (0, String::new())
    }
}

/// The registry entry of detector `R`.
pub struct DetectorModel<R>(PhantomData<R>);

const MONITOR: &str = "monitor";
const MEMBER: &str = "member";

impl<R: Registered> Model for DetectorModel<R> {
    type Protocol = R;
    const NAME: &'static str = R::NAME;
    const SUMMARY: &'static str = R::SUMMARY;

    fn roles() -> Vec<RoleDoc> {
        let mut roles = Vec::new();
        if !R::MONITOR_DOC.is_empty() {
            roles.push(RoleDoc {
                role: MONITOR,
                doc: R::MONITOR_DOC,
                params: Vec::new(),
            });
        }
        roles.push(RoleDoc {
            role: MEMBER,
            doc: R::MEMBER_DOC,
            params: R::Params::docs(),
        });
        roles
    }

    fn build(nodes: u32, groups: &[GroupParams<'_>]) -> Result<R, ParamError> {
        let known: &[&str] = if R::MONITOR_DOC.is_empty() {
            &[MEMBER]
        } else {
            &[MONITOR, MEMBER]
        };
        let (group, p) = Groups::new(R::NAME, known, groups)?.shared::<R::Params>(None)?;
        let layout = R::layout(&p);
        check_layout(layout, groups, R::NAME)?;
        let (watched, why) = R::watched_bytes(&p);
        let monitors = match layout {
            Layout::Central => Monitors::One,
            Layout::Peers => Monitors::All,
        };
        if let Some(e) = memory::too_large(nodes, monitors, watched, &why) {
            return Err(invalid(group, e));
        }
        if layout == Layout::Central && nodes < 2 {
            return Err(ParamError {
                group: 0,
                role: true,
                message: "the monitor needs at least one member to watch".to_string(),
            });
        }
        R::new(p).map_err(|e| invalid(group, e))
    }
}

/// Checks that the roles match who watches whom.
fn check_layout(layout: Layout, groups: &[GroupParams<'_>], model: &str) -> Result<(), ParamError> {
    let role_error = |group: usize, message: String| ParamError {
        group,
        role: true,
        message,
    };
    let all_to_all = " (or set monitors = \"all\" for all-to-all monitoring among members)";
    for (i, g) in groups.iter().enumerate() {
        match (layout, g.role == MONITOR) {
            (Layout::Central, true) if i != 0 || g.nodes != (0..1) => {
                return Err(role_error(i, format!(
                    "the {model} monitor is node 0: it must be the first group, with count = 1{all_to_all}"
                )));
            }
            (Layout::Peers, true) => {
                return Err(role_error(i, "with monitors = \"all\" every member watches every other, so there is no monitor: make this group role = \"member\" (or set monitors = \"one\")".to_string()));
            }
            _ => {}
        }
    }
    if layout == Layout::Central && groups.first().is_none_or(|g| g.role != MONITOR) {
        return Err(role_error(0, format!(
            "the {model} monitor is node 0: the first group must be role = \"monitor\" with count = 1{all_to_all}"
        )));
    }
    Ok(())
}

impl Registered for Heartbeat {
    type Params = HeartbeatParams;
    const NAME: &'static str = "heartbeat";
    const SUMMARY: &'static str =
        "fixed-interval heartbeats, push or pull, suspicion after a timeout or k missed";
    const MONITOR_DOC: &'static str =
        "node 0 with monitors = \"one\": watches every member (takes the members' params)";
    const MEMBER_DOC: &'static str =
        "watched: sends heartbeats (push) or acks pings (pull); with monitors = \"all\" also watches every other member";

    fn layout(p: &HeartbeatParams) -> Layout {
        monitors_layout(p.monitors)
    }

    fn new(p: HeartbeatParams) -> Result<Self, InvalidParams> {
        Heartbeat::new(p)
    }
}

impl Registered for PhiAccrual {
    type Params = PhiAccrualParams;
    const NAME: &'static str = "phi_accrual";
    const SUMMARY: &'static str =
        "phi accrual over push heartbeats: suspicion once phi of the silence exceeds a threshold";
    const MONITOR_DOC: &'static str =
        "node 0 with monitors = \"one\": watches every member (takes the members' params)";
    const MEMBER_DOC: &'static str =
        "watched: sends heartbeats; with monitors = \"all\" also watches every other member";

    fn layout(p: &PhiAccrualParams) -> Layout {
        monitors_layout(p.monitors)
    }

    fn watched_bytes(p: &PhiAccrualParams) -> (u64, String) {
        // The window's samples, and its bookkeeping.
        (
            8 * u64::from(p.window) + 64,
            format!("a window of {} samples", p.window),
        )
    }

    fn new(p: PhiAccrualParams) -> Result<Self, InvalidParams> {
        PhiAccrual::new(p)
    }
}

impl Registered for Swim {
    type Params = SwimParams;
    const NAME: &'static str = "swim";
    const SUMMARY: &'static str =
        "SWIM membership: ping, ping-req, suspicion, incarnations, gossip dissemination";
    const MONITOR_DOC: &'static str = "";
    const MEMBER_DOC: &'static str =
        "probes one member per period, gossips suspicions and refutes its own";

    fn layout(_: &SwimParams) -> Layout {
        Layout::Peers
    }

    fn new(p: SwimParams) -> Result<Self, InvalidParams> {
        Swim::new(p)
    }
}

impl Registered for Prometheus {
    type Params = PrometheusParams;
    const NAME: &'static str = "prometheus";
    const SUMMARY: &'static str =
        "Prometheus scrapes with an up == 0 alert rule (for:) delivered through Alertmanager";
    const MONITOR_DOC: &'static str =
        "node 0: the Prometheus server, scraping every member and alerting (takes the members' params)";
    const MEMBER_DOC: &'static str = "a scrape target: answers scrapes";

    fn layout(p: &PrometheusParams) -> Layout {
        monitors_layout(p.monitors)
    }

    fn new(p: PrometheusParams) -> Result<Self, InvalidParams> {
        Prometheus::new(p)
    }
}

fn monitors_layout(m: Monitors) -> Layout {
    match m {
        Monitors::One => Layout::Central,
        Monitors::All => Layout::Peers,
    }
}
