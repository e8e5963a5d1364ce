//! Builds and runs the monomorphised `Sim<P>` of one model for one scenario and
//! schedule, and turns the run into figures: the generic ones every model gets
//! (events, drops, faults, per-node uptime from the engine's timelines) plus the
//! model's own.

use crate::models::{Catalogue, GroupParams, Model, Predicate};
use crate::run_result::RunError;
use crate::scenario::{Check, Scenario};
use crate::sinks::Tee;
use crate::timeline::{self, data::MarkSink, data::RoleTrack, Lane, Mark, Request, TimelineData};
use hasim_protocols::catalogue::RequestEvent;
use hasim_sim::{
    always, eventually, sometimes, MemoryBudget, Outcome, Protocol, ScheduledFault, Sim, SimTime,
    Status, TraceSink,
};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// What to run.
pub struct Plan {
    /// The seed.
    pub seed: u64,
    /// The concrete fault schedule.
    pub schedule: Vec<ScheduledFault>,
    /// Sinks to attach (none: only the hash is computed, which is fastest).
    pub sinks: Vec<Box<dyn TraceSink>>,
    /// Gather the run's timeline for `hasim report` (slower: views after every event).
    pub timeline: bool,
}

/// What a run produced, before checks are judged.
pub struct Ran {
    /// How it ended.
    pub outcome: Outcome,
    /// Simulated time at the end (the horizon, when the run drained its queue early).
    pub end: SimTime,
    /// Events processed.
    pub events: u64,
    /// Trace hash.
    pub trace_hash: u64,
    /// Every figure.
    pub figures: BTreeMap<String, f64>,
    /// The verdict of each end-of-run check, by check name (`Err`: what went wrong).
    pub end_verdicts: BTreeMap<String, Result<(), String>>,
    /// The eventually and sometimes properties seen to hold, by property name.
    pub satisfied: BTreeSet<String>,
    /// The timeline, when the plan asked for it.
    pub timeline: Option<TimelineData>,
}

/// Per-node uptime figures are reported up to this many nodes.
const NODE_FIGURES_MAX: usize = 32;

/// `invariant`: judged as a safety property. Nodes start one event at a time at time
/// zero, so safety over "who is up" is judged from after that instant.
fn generic_property<P: Protocol>(name: &str, invariant: bool) -> Option<Predicate<P>> {
    let starting = move |now: SimTime| invariant && now == SimTime::ZERO;
    match name {
        "all_up" => Some(Box::new(move |w| {
            let down = w.views.iter().filter(|v| v.is_none()).count();
            if down == 0 || starting(w.now) {
                Ok(())
            } else {
                Err(format!("{down} of {} nodes are not running", w.views.len()))
            }
        })),
        "majority_up" => Some(Box::new(move |w| {
            let up = w.views.iter().filter(|v| v.is_some()).count();
            if up * 2 > w.views.len() || starting(w.now) {
                Ok(())
            } else {
                Err(format!("only {up} of {} nodes are running", w.views.len()))
            }
        })),
        _ => None,
    }
}

/// The engine property name for a check: its text, so a violation maps to its check.
pub fn property_name(check: &Check) -> String {
    check.to_string()
}

/// A model's monomorphised run, as the registry keeps it in the model's entry.
pub type RunFn = fn(&Scenario, Plan) -> Result<Ran, RunError>;

/// Runs `scenario` with `plan` through the run its model's entry holds (put there
/// by the registry the scenario was loaded with).
pub fn run_scenario(scenario: &Scenario, plan: Plan) -> Result<Ran, RunError> {
    let run = scenario.entry.runs.get::<RunFn>().ok_or_else(|| {
        RunError::Model(format!(
            "the {} model was not registered to run (loaded without a hasim registry)",
            scenario.model
        ))
    })?;
    run(scenario, plan)
}

/// Runs model `M` on `scenario` with `plan`.
pub fn run<M: Model>(scenario: &Scenario, plan: Plan) -> Result<Ran, RunError> {
    let groups: Vec<GroupParams<'_>> = scenario
        .groups
        .iter()
        .map(|g| GroupParams {
            role: &g.role,
            nodes: g.nodes.clone(),
            params: &g.params,
        })
        .collect();
    let nodes = scenario.nodes.len() as u32;
    // The budget starts before the model is built: its state is the run's to hold.
    let budget = budget(scenario);
    let protocol = M::build(nodes, &groups).map_err(|e| RunError::Model(e.message))?;
    run_protocol(protocol, scenario, plan, budget)
}

/// Runs a composed scenario: its system was built when the scenario was loaded.
pub fn run_composed(
    composed: &hasim_protocols::compose::Composed,
    scenario: &Scenario,
    plan: Plan,
) -> Result<Ran, RunError> {
    let budget = budget(scenario);
    run_protocol(composed.clone(), scenario, plan, budget)
}

/// The scenario's `memory_max`, counted by this thread's allocations from now on.
fn budget(scenario: &Scenario) -> MemoryBudget {
    MemoryBudget::starting_now(scenario.memory_max, crate::memory::thread_bytes)
}

/// Runs `protocol` (the model built from `scenario`) with `plan`.
fn run_protocol<P: Catalogue>(
    protocol: P,
    scenario: &Scenario,
    plan: Plan,
    budget: MemoryBudget,
) -> Result<Ran, RunError> {
    let nodes = scenario.nodes.len() as u32;
    let mut properties = Vec::new();
    for check in &scenario.checks {
        let Some(name) = check.property() else {
            continue;
        };
        let invariant = matches!(check, Check::Invariant { .. });
        let predicate = generic_property::<P>(name, invariant)
            .or_else(|| protocol.property(name))
            .ok_or_else(|| {
                RunError::Model(format!(
                    "the {} model has no property {name:?}",
                    scenario.model
                ))
            })?;
        properties.push((property_name(check), check.clone(), predicate));
    }
    let mut sim = Sim::new(protocol, nodes, plan.seed);
    scenario.network.install(&mut sim);
    sim.duplicate(scenario.network.duplicate)
        .map_err(RunError::Sim)?;
    sim.horizon(scenario.horizon())
        .event_budget(scenario.event_budget)
        .memory_budget(budget)
        .keep_observations(P::KEEPS_OBSERVATIONS);
    let faults = plan.schedule.len();
    sim.faults(plan.schedule).map_err(RunError::Sim)?;
    let mut sinks = plan.sinks;
    // The timeline hook goes first: a violated property stops the run after its own
    // event, and the picture must show what that event changed (a second primary).
    let recorder = plan.timeline.then(|| {
        let r = Rc::new(RefCell::new(Recorder {
            roles: RoleTrack::new(nodes as usize),
            requests: Vec::new(),
            invoked: BTreeMap::new(),
            marks: MarkSink::default(),
        }));
        sinks.push(Box::new(RecorderSink(r.clone())));
        sim.property(always("timeline", recorder_hook::<P>(r.clone())));
        r
    });
    for (name, check, predicate) in properties {
        match check {
            Check::Invariant { .. } => sim.property(always(&name, predicate)),
            Check::Eventually { within, .. } => sim.property(eventually(&name, within, predicate)),
            _ => sim.property(sometimes(&name, predicate)),
        };
    }
    if !sinks.is_empty() {
        sim.trace_sink(Tee(sinks));
    }
    let outcome = sim.run();
    // A run that drained its queue early stays as it is until the horizon: its
    // figures, and its simulated time, span to there.
    let end = sim.span_end();
    let mut figures = BTreeMap::new();
    figures.insert("events".to_string(), sim.events() as f64);
    figures.insert(
        "messages_dropped".to_string(),
        sim.metrics().counter("messages_dropped") as f64,
    );
    figures.insert("faults".to_string(), faults as f64);
    let span = end.saturating_since(SimTime::ZERO);
    let uptimes: Vec<f64> = (0..nodes)
        .map(|n| {
            let up = sim
                .timeline(hasim_sim::NodeId(n))
                .time_in(Status::Up, SimTime::ZERO, end);
            if span.is_zero() {
                1.0
            } else {
                up.as_secs_f64() / span.as_secs_f64()
            }
        })
        .collect();
    if !uptimes.is_empty() {
        figures.insert(
            "uptime_mean".to_string(),
            uptimes.iter().sum::<f64>() / uptimes.len() as f64,
        );
        figures.insert(
            "uptime_min".to_string(),
            uptimes.iter().copied().fold(1.0, f64::min),
        );
    }
    if uptimes.len() <= NODE_FIGURES_MAX {
        for (n, u) in scenario.nodes.iter().zip(&uptimes) {
            figures.insert(format!("uptime.{}", n.name), *u);
        }
    }
    P::figures(&sim, &mut figures);
    let mut end_verdicts = BTreeMap::new();
    for check in &scenario.checks {
        if let Check::AtEnd { name } = check {
            let verdict = P::end_check(&sim, name).ok_or_else(|| {
                RunError::Model(format!(
                    "the {} model has no end check {name:?}",
                    scenario.model
                ))
            })?;
            end_verdicts.insert(property_name(check), verdict);
        }
    }
    let timeline = recorder.map(|r| {
        let names: Vec<String> = scenario.nodes.iter().map(|n| n.name.clone()).collect();
        let mut r = r.borrow_mut();
        let mut marks = std::mem::take(&mut r.marks.marks);
        marks.sort_by_key(|m| m.time);
        let (messages, messages_gap) = r.marks.take_messages();
        TimelineData {
            end,
            lanes: (0..nodes)
                .map(|n| Lane {
                    name: names[n as usize].clone(),
                    group: scenario.nodes[n as usize].role.clone(),
                    zone: scenario.nodes[n as usize].zone.clone(),
                    status: sim.timeline(hasim_sim::NodeId(n)).changes().to_vec(),
                    roles: r.roles.roles[n as usize].clone(),
                    suspected: r.roles.suspected[n as usize].clone(),
                })
                .collect(),
            marks,
            marks_dropped: r.marks.dropped.clone(),
            bands: timeline::data::bands(sim.schedule(), end, &names),
            requests: std::mem::take(&mut r.requests),
            messages,
            messages_total: r.marks.messages_total,
            messages_gap,
        }
    });
    let satisfied = sim
        .property_satisfied()
        .filter(|(_, at)| at.is_some())
        .map(|(name, _)| name.to_string())
        .collect();
    Ok(Ran {
        satisfied,
        outcome,
        end,
        events: sim.events(),
        trace_hash: sim.trace_hash(),
        figures,
        end_verdicts,
        timeline,
    })
}

/// What the timeline hook gathers while the run goes.
struct Recorder {
    roles: RoleTrack,
    requests: Vec<Request>,
    /// Requests invoked and not yet ended, by (client, its number for it).
    invoked: BTreeMap<(u32, u64), SimTime>,
    marks: MarkSink,
}

/// Fault and violation records become marks.
struct RecorderSink(Rc<RefCell<Recorder>>);

impl TraceSink for RecorderSink {
    fn record(&mut self, record: &hasim_sim::Record) {
        self.0.borrow_mut().marks.record(record);
    }
}

/// A property that always holds and, after each event, notes role changes at the
/// event's node and the observations: requests for the series, the rest as marks.
fn recorder_hook<P: Catalogue>(r: Rc<RefCell<Recorder>>) -> Predicate<P> {
    Box::new(move |w| {
        let mut r = r.borrow_mut();
        let role = |i: usize| w.views[i].as_ref().and_then(P::role);
        match w.node {
            Some(n) => {
                r.roles.see(n.index(), w.now, role(n.index()));
                if w.views[n.index()].is_none() {
                    r.roles.forget(w.now, n.0);
                }
            }
            None => {
                for i in 0..w.views.len() {
                    r.roles.see(i, w.now, role(i));
                }
            }
        }
        for o in w.observations {
            // A suspicion is drawn on its target's lane (who, how many), a request
            // in the series; the rest of what nodes observe are marks.
            if let Some((target, suspects)) = P::suspicion(&o.observation) {
                r.roles.suspect(o.time, o.node.0, target.index(), suspects);
                continue;
            }
            match P::request(&o.observation) {
                Some(RequestEvent::Invoked { id }) => {
                    r.invoked.insert((o.node.0, id), o.time);
                }
                Some(RequestEvent::Ended {
                    id,
                    outcome,
                    latency,
                }) => {
                    let started = id.and_then(|id| r.invoked.remove(&(o.node.0, id)));
                    let latency = latency.or_else(|| started.map(|s| o.time.saturating_since(s)));
                    r.requests.push(Request {
                        time: o.time,
                        outcome,
                        latency,
                    })
                }
                None => r.marks.observe(Mark {
                    time: o.time,
                    node: Some(o.node.0),
                    verb: "observe",
                    text: format!("{:?}", o.observation),
                }),
            }
        }
        Ok(())
    })
}
