//! The store seam: a balancing part's backends answer `ok` only once a store part has
//! acknowledged the request as a write (the checkout's seam, for any composition).
//!
//! On a backend node (an *app* node) the balancing part's sends are captured: an `ok`
//! reply is held, anything else goes out at once. The store part's client on the same
//! node, driven by the seam, writes the held requests one at a time in arrival order
//! (request `rid` to key `rid mod keys`) and the seam hears its observations: when the
//! write completes, the reply goes to its balancer, `ok` if the write committed and an
//! error otherwise (refused, or not acknowledged within the client's timeout).

use super::{Composed, Kind, Msg, Part, PartIx, PartLens, PartState, State};
use crate::balancing;
use crate::replication::history::{OpEvent, OpResult};
use crate::replication::primary_backup::{self, PrimaryBackup};
use crate::replication::quorum::{self, Quorum};
use crate::replication::raft::{self, Raft};
use crate::InvalidParams;
use hasim_sim::{Ctx, NodeId, Span, Within};
use std::collections::VecDeque;

/// A store seam: the front part whose backends hold their replies, the store part
/// whose driven clients on those nodes store them (each write bounded by the
/// client's timeout, set when the store was built: [`Raft::drive`]).
#[derive(Clone, Debug)]
pub struct StoreSeam {
    /// The balancing part.
    pub front: PartIx,
    /// The store part (Raft, quorum or primary-backup).
    pub store: PartIx,
    /// The app nodes: the front's backends, in the system's ids.
    pub apps: Span,
    /// Requests are written to keys `0..keys`.
    pub keys: u32,
}

impl StoreSeam {
    /// The app nodes of balancing part `front`: its backends, in the system's ids.
    pub fn apps_of(front: &Part) -> Option<Span> {
        let Kind::Balancing(b) = &front.kind else {
            return None;
        };
        let l = b.layout;
        Some(Span::new(
            front.span.base + l.clients + l.balancers,
            l.backends,
        ))
    }

    /// Checks the seam against the system's parts.
    pub(super) fn check(&self, parts: &[Part]) -> Result<(), InvalidParams> {
        let (Some(front), Some(store)) = (
            parts.get(usize::from(self.front)),
            parts.get(usize::from(self.store)),
        ) else {
            return Err("a store seam names a part the system does not have".into());
        };
        if Self::apps_of(front) != Some(self.apps) {
            return Err(format!(
                "part {:?} is a {} part; a store seam starts at a balancing part (its backends hold the replies)",
                front.name,
                front.kind.model()
            )
            .into());
        }
        let driven = |n: NodeId| -> bool {
            let Some(p) = store.span.part(n) else {
                return false;
            };
            match &store.kind {
                Kind::Raft(r) => matches!(r.role(p), raft::Role::Driven(_)),
                Kind::Quorum(q) => matches!(q.role(p), quorum::Role::Driven(_)),
                Kind::PrimaryBackup(b) => {
                    matches!(b.role(p), primary_backup::Role::Driven(_))
                }
                _ => false,
            }
        };
        if !matches!(
            store.kind,
            Kind::Raft(_) | Kind::Quorum(_) | Kind::PrimaryBackup(_)
        ) {
            return Err(format!(
                "part {:?} is a {} part; a store seam ends at a raft, quorum or primary_backup part (the stores whose clients a seam can drive)",
                store.name,
                store.kind.model()
            )
            .into());
        }
        if self.keys == 0 {
            return Err("a store seam's keys must be at least 1".into());
        }
        for n in self.apps.node_ids() {
            if !driven(n) {
                return Err(format!(
                    "node {n} is a backend of {:?} but not a driven client of {:?}",
                    front.name, store.name
                )
                .into());
            }
        }
        Ok(())
    }
}

/// A request an app node holds: the balancer's, answered once stored.
#[derive(Clone, Copy, Debug)]
struct Held {
    /// The balancer, in the front part's ids.
    balancer: NodeId,
    rid: u64,
}

/// An app node's seam state: requests waiting for the store, and the one in flight.
#[derive(Debug, Default)]
pub struct App {
    waiting: VecDeque<Held>,
    storing: Option<(u64, Held)>,
}

impl App {
    /// Requests held (waiting or being stored).
    pub fn held(&self) -> u32 {
        self.waiting.len() as u32 + u32::from(self.storing.is_some())
    }
}

/// A part without seams: its calls never hear or capture.
pub(super) fn none<O, M>(
    _: &Composed,
    _: &mut impl Ctx<Composed>,
    _: &mut State,
    part: PartIx,
    heard: Vec<O>,
    captured: Vec<(NodeId, M)>,
) {
    assert!(
        heard.is_empty() && captured.is_empty(),
        "part {part} has no seam, yet its call heard or captured"
    );
}

/// After a balancing part's call on an app node: holds its `ok` replies, sends the
/// rest, and starts storing.
pub(super) fn front_after(
    sys: &Composed,
    ctx: &mut impl Ctx<Composed>,
    state: &mut State,
    part: PartIx,
    _: Vec<balancing::Observation>,
    captured: Vec<(NodeId, balancing::Msg)>,
) {
    let span = sys.parts[usize::from(part)].span;
    let id = ctx.id();
    let seam = sys
        .stores
        .iter()
        .position(|s| s.front == part && s.apps.part(id).is_some());
    for (target, msg) in captured {
        let held = seam.and_then(|k| state.apps.iter_mut().find(|(j, _)| *j == k));
        match (msg, held) {
            (balancing::Msg::Reply { rid, ok: true }, Some((_, app))) => {
                app.waiting.push_back(Held {
                    balancer: target,
                    rid,
                })
            }
            (other, _) => ctx.send(span.host(target), Msg::Balancing(part, other)),
        }
    }
    if let Some(k) = seam {
        store_next(sys, ctx, state, k);
    }
}

/// After a Raft part's call on an app node: releases the reply whose write ended.
pub(super) fn store_after_raft(
    sys: &Composed,
    ctx: &mut impl Ctx<Composed>,
    state: &mut State,
    part: PartIx,
    heard: Vec<raft::Observation>,
    captured: Vec<(NodeId, raft::Msg)>,
) {
    debug_assert!(
        captured.is_empty(),
        "a store part's sends are never captured"
    );
    let ended = heard.iter().filter_map(|o| match o {
        raft::Observation::Client(e) => ended(e),
        _ => None,
    });
    release(sys, ctx, state, part, ended);
}

/// After a quorum part's call on an app node: releases the reply whose write ended.
pub(super) fn store_after_quorum(
    sys: &Composed,
    ctx: &mut impl Ctx<Composed>,
    state: &mut State,
    part: PartIx,
    heard: Vec<quorum::Observation>,
    captured: Vec<(NodeId, quorum::Msg)>,
) {
    debug_assert!(
        captured.is_empty(),
        "a store part's sends are never captured"
    );
    let ended = heard.iter().filter_map(|o| match o {
        quorum::Observation::Op(e) => ended(e),
        _ => None,
    });
    release(sys, ctx, state, part, ended);
}

/// After a primary-backup part's call on an app node: releases the reply whose write
/// ended.
pub(super) fn store_after_primary_backup(
    sys: &Composed,
    ctx: &mut impl Ctx<Composed>,
    state: &mut State,
    part: PartIx,
    heard: Vec<primary_backup::Observation>,
    captured: Vec<(NodeId, primary_backup::Msg)>,
) {
    debug_assert!(
        captured.is_empty(),
        "a store part's sends are never captured"
    );
    let ended = heard.iter().filter_map(|o| match o {
        primary_backup::Observation::Op(e) => ended(e),
        _ => None,
    });
    release(sys, ctx, state, part, ended);
}

/// A client's operation that ended: its number, and whether it took effect.
fn ended(e: &OpEvent) -> Option<(u64, bool)> {
    match e {
        OpEvent::Complete { op, result } => Some((*op, matches!(result, OpResult::Ok(_)))),
        _ => None,
    }
}

/// Answers the held request whose write `ended` says ended, on every store seam of
/// store part `part` here, and starts the next write.
fn release(
    sys: &Composed,
    ctx: &mut impl Ctx<Composed>,
    state: &mut State,
    part: PartIx,
    ended: impl Iterator<Item = (u64, bool)> + Clone,
) {
    let id = ctx.id();
    for k in 0..sys.stores.len() {
        let s = &sys.stores[k];
        if s.store != part || s.apps.part(id).is_none() {
            continue;
        }
        let front = sys.parts[usize::from(s.front)].span;
        if let Some((_, app)) = state.apps.iter_mut().find(|(j, _)| *j == k) {
            for (op, ok) in ended.clone() {
                let Some((storing, held)) = app.storing else {
                    continue;
                };
                if storing == op {
                    app.storing = None;
                    let reply = balancing::Msg::Reply { rid: held.rid, ok };
                    ctx.send(front.host(held.balancer), Msg::Balancing(s.front, reply));
                }
            }
        }
        store_next(sys, ctx, state, k);
    }
}

/// Starts storing seam `k`'s next waiting request when the store client is free.
fn store_next(sys: &Composed, ctx: &mut impl Ctx<Composed>, state: &mut State, k: usize) {
    let s = &sys.stores[k];
    let store = &sys.parts[usize::from(s.store)];
    let State { parts, apps } = state;
    let Some((_, app)) = apps.iter_mut().find(|(j, _)| *j == k) else {
        return;
    };
    let Some(client) = parts
        .iter_mut()
        .find(|(j, _)| *j == s.store)
        .map(|(_, p)| p)
    else {
        return;
    };
    if app.storing.is_some() {
        return;
    }
    // One arm per store family: its client, if free, writes the next held request.
    macro_rules! submit {
        ($store:expr, $client:expr, $ty:ty) => {{
            if $client.busy() {
                return;
            }
            let Some(held) = app.waiting.pop_front() else {
                return;
            };
            let key = (held.rid % u64::from(s.keys)) as u32;
            let mut w = Within::with_lens(ctx, store.span, PartLens::<$ty>::of(s.store, store));
            if let Some(op) = $client.submit($store, &mut w, key) {
                app.storing = Some((op, held));
            }
        }};
    }
    match (&store.kind, client) {
        (Kind::Raft(r), PartState::Raft(raft::State::Client(c))) => submit!(r, c, Raft),
        (Kind::Quorum(q), PartState::Quorum(quorum::State::Client(c))) => submit!(q, c, Quorum),
        (Kind::PrimaryBackup(p), PartState::PrimaryBackup(primary_backup::State::Client(c))) => {
            submit!(p, c, PrimaryBackup)
        }
        _ => {}
    }
}
