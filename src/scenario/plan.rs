//! The fault plan: explicit `[[fault]]` entries with selectors, the `[faults.random]`
//! generator, the `[faults.swarm]` mode and the `[[faults.lifecycle]]` processes, and
//! their expansion into the engine's concrete schedule for one seed. Things that last (`restart_after`, `lasts`) expand
//! into paired faults; random selectors draw from "faults/targets", the swarm's mix
//! from "faults/swarm", so the schedule is a function of the seed.

use super::schema::{FaultKind, SwarmKind};
use super::selector::{NodeLabels, Selector};
use hasim_sim::generator::{CrashProcess, DiskEffect, EpisodeProcess, PartitionShape};
use hasim_sim::{
    Distribution, Fault, Generator, NodeId, ScheduledFault, Seed, SignedDuration, SimDuration,
    SimTime, Stream,
};
use hasim_topologies::Level;

/// One explicit fault, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct ExplicitFault {
    /// When.
    pub at: SimTime,
    /// What.
    pub kind: FaultKind,
    /// Which nodes (all, for spikes, when absent).
    pub target: Option<Selector>,
    /// The other end of a cut or link.
    pub source: Option<Selector>,
    /// Where random selectors draw from.
    pub among: Option<Selector>,
    /// A partition along the placement instead of a target: every region, zone or
    /// rack on its own side.
    pub shape: Option<Level>,
    /// The fault is undone after this long (restart_after for a crash).
    pub lasts: Option<SimDuration>,
    /// Loss of a loss spike.
    pub loss: f64,
    /// Extra latency of a latency spike.
    pub extra: SimDuration,
    /// A clock jump.
    pub by: SignedDuration,
    /// A clock drift.
    pub ppm: f64,
    /// A disk fault's loss of unsynced writes.
    pub lose_unsynced: bool,
    /// A disk fault's write delay.
    pub write_delay: SimDuration,
}

impl ExplicitFault {
    /// When its last paired fault happens.
    pub fn end(&self) -> SimTime {
        self.at
            .saturating_add(self.lasts.unwrap_or(SimDuration::ZERO))
    }
}

/// A random generator whose targets are resolved; expands per seed.
#[derive(Clone, Debug, PartialEq)]
pub struct Swarm {
    /// No fault before.
    pub start: SimTime,
    /// No fault after.
    pub end: SimTime,
    /// The kinds it may draw.
    pub kinds: Vec<SwarmKind>,
    /// Range of mean gaps.
    pub every: (SimDuration, SimDuration),
    /// Range of episode lengths.
    pub lasts: (SimDuration, SimDuration),
    /// Candidate nodes.
    pub targets: Vec<NodeId>,
    /// The nodes of each zone, for `zone_partition` (empty unless it is a kind).
    pub zones: Vec<Vec<NodeId>>,
}

/// Everything that produces faults.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultPlan {
    /// `[[fault]]`, in file order.
    pub explicit: Vec<ExplicitFault>,
    /// `[faults.random]`, resolved to the engine's generator.
    pub random: Option<Generator>,
    /// `[faults.swarm]`.
    pub swarm: Option<Swarm>,
    /// `[[schedule]]`: concrete faults, taken as they are.
    pub concrete: Vec<ScheduledFault>,
    /// `[[faults.lifecycle]]`, resolved to one generator holding every process.
    pub lifecycle: Option<Generator>,
}

impl FaultPlan {
    /// The concrete schedule for `seed`, time-sorted.
    pub fn schedule(&self, nodes: &[NodeLabels], seed: u64) -> Vec<ScheduledFault> {
        let targets = Seed(seed).stream("faults/targets");
        let mut out = Vec::new();
        for (i, f) in self.explicit.iter().enumerate() {
            // One child stream per entry: a random target of one entry never depends
            // on how many draws another entry made.
            let mut rng = targets.fork(&i.to_string());
            expand(f, nodes, &mut rng, &mut out);
        }
        if let Some(g) = &self.random {
            out.extend(g.expand(Seed(seed)));
        }
        if let Some(s) = &self.swarm {
            out.extend(s.generator(seed).expand(Seed(seed)));
        }
        out.extend(self.concrete.iter().cloned());
        if let Some(g) = &self.lifecycle {
            out.extend(g.expand(Seed(seed)));
        }
        hasim_sim::fault::sort_schedule(&mut out);
        out
    }
}

fn expand(
    f: &ExplicitFault,
    nodes: &[NodeLabels],
    rng: &mut Stream,
    out: &mut Vec<ScheduledFault>,
) {
    let all: Vec<NodeId> = (0..nodes.len() as u32).map(NodeId).collect();
    let among = f
        .among
        .as_ref()
        .map_or(all.clone(), |s| s.resolve(nodes, &all, rng));
    let resolve = |s: &Option<Selector>, rng: &mut Stream| -> Vec<NodeId> {
        s.as_ref()
            .map_or(Vec::new(), |s| s.resolve(nodes, &among, rng))
    };
    let targets = resolve(&f.target, rng);
    let sources = resolve(&f.source, rng);
    let mut push = |at: SimTime, fault: Fault| out.push(ScheduledFault { at, fault });
    let undo_at = f.lasts.map(|d| f.at.saturating_add(d));
    let each = |make: &dyn Fn(NodeId) -> Fault,
                undo: Option<&dyn Fn(NodeId) -> Fault>,
                push: &mut dyn FnMut(SimTime, Fault)| {
        for &n in &targets {
            push(f.at, make(n));
        }
        if let (Some(t), Some(undo)) = (undo_at, undo) {
            for &n in &targets {
                push(t, undo(n));
            }
        }
    };
    let pairs = || -> Vec<(NodeId, NodeId)> {
        // A link from a node to itself is its access link (its links to switches);
        // validation allows it only on a topology whose hosts have one.
        let link = matches!(f.kind, FaultKind::LinkDown | FaultKind::LinkUp);
        if link && sources.len() == 1 && sources == targets {
            return vec![(sources[0], sources[0])];
        }
        let mut v = Vec::new();
        for &s in &sources {
            for &t in &targets {
                if s != t {
                    v.push((s, t));
                }
            }
        }
        v
    };
    match f.kind {
        FaultKind::Crash => each(
            &|node| Fault::Crash { node },
            Some(&|node| Fault::Restart { node }),
            &mut push,
        ),
        FaultKind::Restart => each(&|node| Fault::Restart { node }, None, &mut push),
        FaultKind::Pause => each(
            &|node| Fault::Pause { node },
            Some(&|node| Fault::Resume { node }),
            &mut push,
        ),
        FaultKind::Resume => each(&|node| Fault::Resume { node }, None, &mut push),
        FaultKind::Isolate => each(
            &|node| Fault::Isolate { node },
            Some(&|node| Fault::Rejoin { node }),
            &mut push,
        ),
        FaultKind::Rejoin => each(&|node| Fault::Rejoin { node }, None, &mut push),
        FaultKind::DiskHeal => each(&|node| Fault::DiskHeal { node }, None, &mut push),
        FaultKind::ClockJump => each(&|node| Fault::ClockJump { node, by: f.by }, None, &mut push),
        FaultKind::ClockDrift => each(
            &|node| Fault::ClockDrift { node, ppm: f.ppm },
            Some(&|node| Fault::ClockDrift { node, ppm: 0.0 }),
            &mut push,
        ),
        FaultKind::DiskFault => each(
            &|node| Fault::DiskFault {
                node,
                lose_unsynced: f.lose_unsynced,
                write_delay: f.write_delay,
            },
            Some(&|node| Fault::DiskHeal { node }),
            &mut push,
        ),
        FaultKind::Partition => {
            let groups = match f.shape {
                Some(level) => places(nodes, level),
                // The targets on one side; the engine puts everyone else on the other.
                None => vec![targets.clone()],
            };
            push(f.at, Fault::Partition { groups });
            if let Some(t) = undo_at {
                push(t, Fault::Heal);
            }
        }
        FaultKind::Heal => push(f.at, Fault::Heal),
        FaultKind::Cut | FaultKind::Uncut => {
            for (source, target) in pairs() {
                let fault = if f.kind == FaultKind::Cut {
                    Fault::Cut { source, target }
                } else {
                    Fault::Uncut { source, target }
                };
                push(f.at, fault);
                if let (Some(t), FaultKind::Cut) = (undo_at, f.kind) {
                    push(t, Fault::Uncut { source, target });
                }
            }
        }
        FaultKind::LinkDown | FaultKind::LinkUp => {
            for (a, b) in pairs() {
                let fault = if f.kind == FaultKind::LinkDown {
                    Fault::LinkDown { a, b }
                } else {
                    Fault::LinkUp { a, b }
                };
                push(f.at, fault);
                if let (Some(t), FaultKind::LinkDown) = (undo_at, f.kind) {
                    push(t, Fault::LinkUp { a, b });
                }
            }
        }
        FaultKind::LossSpike | FaultKind::LatencySpike | FaultKind::SpikeEnd => {
            let fault = match f.kind {
                FaultKind::LossSpike => Fault::LossSpike {
                    nodes: targets.clone(),
                    loss: f.loss,
                },
                FaultKind::LatencySpike => Fault::LatencySpike {
                    nodes: targets.clone(),
                    extra: f.extra,
                },
                _ => Fault::SpikeEnd {
                    nodes: targets.clone(),
                },
            };
            push(f.at, fault);
            if let (Some(t), true) = (undo_at, f.kind != FaultKind::SpikeEnd) {
                push(
                    t,
                    Fault::SpikeEnd {
                        nodes: targets.clone(),
                    },
                );
            }
        }
    }
}

/// The nodes of each place at `level`, places in order of their first node. Nodes
/// with no place there are left out; the engine puts them in one more group.
pub fn places(nodes: &[NodeLabels], level: Level) -> Vec<Vec<NodeId>> {
    let mut index: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut groups: Vec<Vec<NodeId>> = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        let Some(place) = n.at(level) else { continue };
        let g = *index.entry(place).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(NodeId(i as u32));
    }
    groups
}

/// A log-uniform draw in [low, high]: rates spread evenly over orders of magnitude.
fn log_uniform(rng: &mut Stream, low: SimDuration, high: SimDuration) -> SimDuration {
    let (a, b) = (low.as_secs_f64().max(1e-9), high.as_secs_f64().max(1e-9));
    let u = rng.unit();
    SimDuration::from_secs_f64(libm::exp(libm::log(a) + u * (libm::log(b) - libm::log(a))))
}

impl Swarm {
    /// The generator this seed draws: which kinds are on, at which rates.
    pub fn generator(&self, seed: u64) -> Generator {
        let mut rng = Seed(seed).stream("faults/swarm");
        // Every kind draws its coin and rates whether or not it is enabled, so the
        // mix of one kind never depends on which other kinds the scenario allows.
        // The opt-in kinds draw the same way from a stream of their own, after the
        // default six, so a swarm of the default kinds draws what it always drew.
        let mut later = Seed(seed).stream("faults/swarm/opt_in");
        let mut drawn: Vec<(SwarmKind, bool, SimDuration, SimDuration, f64)> = Vec::new();
        let kinds = SwarmKind::DEFAULT.iter().zip(std::iter::repeat(false));
        for (&k, opt_in) in kinds.chain(SwarmKind::OPT_IN.iter().zip(std::iter::repeat(true))) {
            let rng = if opt_in { &mut later } else { &mut rng };
            let on = rng.chance(0.5);
            let every = log_uniform(rng, self.every.0, self.every.1);
            let lasts = log_uniform(rng, self.lasts.0, self.lasts.1);
            let extra = rng.unit();
            drawn.push((k, on && self.kinds.contains(&k), every, lasts, extra));
        }
        if !drawn.iter().any(|d| d.1) && !self.kinds.is_empty() {
            let pick = self.kinds[rng.below(self.kinds.len() as u64) as usize];
            if let Some(d) = drawn.iter_mut().find(|d| d.0 == pick) {
                d.1 = true;
            }
        }
        let mut g = Generator {
            start: self.start,
            end: self.end,
            ..Generator::default()
        };
        let episode = |every: SimDuration, lasts: SimDuration| EpisodeProcess {
            every: Distribution::Exponential { mean: every },
            lasts: Distribution::Exponential { mean: lasts },
            targets: self.targets.clone(),
        };
        for (kind, on, every, lasts, x) in drawn {
            if !on {
                continue;
            }
            match kind {
                SwarmKind::Crash => {
                    g.crash = Some(CrashProcess {
                        // Per node: scale the mean so the whole swarm sees about one
                        // crash per `every`.
                        time_to_failure: Distribution::Exponential {
                            mean: every.saturating_mul(self.targets.len().max(1) as u64),
                        },
                        time_to_repair: Some(Distribution::Exponential { mean: lasts }),
                        targets: self.targets.clone(),
                    })
                }
                SwarmKind::Pause => g.pause = Some(episode(every, lasts)),
                SwarmKind::Partition => {
                    let shape = [
                        PartitionShape::Minority,
                        PartitionShape::Halves,
                        PartitionShape::Isolate,
                    ][((x * 3.0) as usize).min(2)];
                    g.partition = Some((episode(every, lasts), shape));
                }
                SwarmKind::LossSpike => {
                    g.loss_spike = Some((episode(every, lasts), 0.1 + 0.9 * x));
                }
                SwarmKind::LatencySpike => {
                    let extra = SimDuration::from_secs_f64(0.01 * libm::pow(100.0, x));
                    g.latency_spike = Some((episode(every, lasts), extra));
                }
                SwarmKind::ClockJump => g.clock_jump = Some((episode(every, lasts), lasts)),
                SwarmKind::Isolate => g.isolate = Some(episode(every, lasts)),
                SwarmKind::Cut => g.cut = Some(episode(every, lasts)),
                SwarmKind::LinkDown => g.link_down = Some(episode(every, lasts)),
                // 10 to 1000 ppm, log-uniform: a cheap crystal to a broken one.
                SwarmKind::ClockDrift => {
                    g.clock_drift = Some((episode(every, lasts), 10.0 * libm::pow(100.0, x)));
                }
                SwarmKind::DiskFault => {
                    // A third lose unsynced writes, a third are slow, a third both;
                    // slow writes take 1 ms to 100 ms, log-uniform.
                    let third = ((x * 3.0) as usize).min(2);
                    let y = x * 3.0 - third as f64;
                    let slow = SimDuration::from_secs_f64(0.001 * libm::pow(100.0, y));
                    let effect = DiskEffect {
                        lose_unsynced: third != 1,
                        write_delay: if third == 0 { SimDuration::ZERO } else { slow },
                    };
                    g.disk_fault = Some((episode(every, lasts), effect));
                }
                SwarmKind::ZonePartition => {
                    g.partition_along = Some((episode(every, lasts), self.zones.clone()));
                }
            }
        }
        g
    }
}
