//! SWIM's membership list: each member's health and incarnation, the rules by which
//! an update overrides what a member knew, and the buffer of updates waiting to be
//! piggybacked (infection-style dissemination).
//!
//! Override rules (SWIM §4.2, with memberlist's rejoin): for another member M with
//! incarnation j known here,
//! - Alive(M, i) overrides any state when i > j;
//! - Suspect(M, i) overrides Alive when i ≥ j, Suspect or Dead when i > j;
//! - Dead(M, i) overrides Alive or Suspect when i ≥ j, Dead when i > j (news only).
//!
//! About itself a member accepts nothing: a Suspect or Dead rumour at its current
//! incarnation or later makes it refute, bumping its incarnation past the rumour's and
//! gossiping Alive. Every accepted update is gossiped on: each rumour rides on at most
//! `limit` messages, fewest-sent first, newest first among equals.

use crate::detection::DetectorObservation;
use hasim_sim::NodeId;

/// A member's incarnation: `life` counts restarts (a restarted member starts a new
/// life above everything it said before), `count` its refutations within a life.
/// Ordered by life, then count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Incarnation {
    /// The member's restart count (the engine's incarnation of its node).
    pub life: u32,
    /// Refutations within this life.
    pub count: u32,
}

/// What a member is believed to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    /// Answering.
    Alive,
    /// Failed to answer a probe; will be declared dead unless it refutes in time.
    Suspect,
    /// Confirmed failed; no longer probed.
    Dead,
}

impl Health {
    /// Lower-case name, as in the trace.
    pub const fn name(self) -> &'static str {
        match self {
            Health::Alive => "alive",
            Health::Suspect => "suspect",
            Health::Dead => "dead",
        }
    }
}

/// A membership update, as piggybacked on protocol messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Update {
    /// Whom it is about.
    pub member: NodeId,
    /// What it says.
    pub health: Health,
    /// At which incarnation.
    pub incarnation: Incarnation,
}

/// One member as known here.
#[derive(Clone, Copy, Debug)]
pub struct Member {
    /// Believed health.
    pub health: Health,
    /// Latest incarnation heard of.
    pub incarnation: Incarnation,
}

/// An update being disseminated.
#[derive(Clone, Copy, Debug)]
struct Rumour {
    update: Update,
    sent: u32,
    /// Insertion order, so that newer rumours go first among equals.
    order: u64,
}

/// What applying an update did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// The observation to report, if the member's health changed in a way the host
    /// cares about.
    pub observation: Option<DetectorObservation>,
    /// The member became Suspect at this incarnation: start a suspicion timer.
    pub suspected: Option<Incarnation>,
}

/// A member's view of the group. See the module documentation.
#[derive(Clone, Debug)]
pub struct Membership {
    me: NodeId,
    members: Vec<Member>,
    rumours: Vec<Rumour>,
    order: u64,
    /// Transmissions per rumour.
    limit: u32,
    /// Members believed Suspect or Dead.
    suspected: u32,
}

impl Membership {
    /// Everyone alive at incarnation zero, `me` at `mine`; rumours ride on `limit`
    /// messages each.
    pub fn new(me: NodeId, nodes: u32, mine: Incarnation, limit: u32) -> Self {
        let mut members = vec![
            Member {
                health: Health::Alive,
                incarnation: Incarnation::default(),
            };
            nodes as usize
        ];
        members[me.index()].incarnation = mine;
        Membership {
            me,
            members,
            rumours: Vec::new(),
            order: 0,
            limit,
            suspected: 0,
        }
    }

    /// A member as known here.
    pub fn member(&self, m: NodeId) -> Member {
        self.members[m.index()]
    }

    /// How many members there are, this one included.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the group is empty (never: it holds at least this member).
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Members believed Suspect or Dead.
    pub fn suspected(&self) -> u32 {
        self.suspected
    }

    /// Whether `m` may be probed or asked to relay: another member not known dead.
    pub fn probeable(&self, m: NodeId) -> bool {
        m != self.me && self.members[m.index()].health != Health::Dead
    }

    /// Queues an update for dissemination, replacing older news of the same member.
    pub fn gossip(&mut self, update: Update) {
        self.rumours.retain(|r| r.update.member != update.member);
        self.order += 1;
        self.rumours.push(Rumour {
            update,
            sent: 0,
            order: self.order,
        });
    }

    /// Up to `max` updates for the next message; each counts as sent once more and
    /// is dropped after `limit` sends.
    pub fn piggyback(&mut self, max: usize) -> Vec<Update> {
        if self.rumours.is_empty() || max == 0 {
            return Vec::new();
        }
        self.rumours
            .sort_unstable_by_key(|r| (r.sent, core::cmp::Reverse(r.order)));
        let take = max.min(self.rumours.len());
        let mut out = Vec::with_capacity(take);
        for r in &mut self.rumours[..take] {
            r.sent += 1;
            out.push(r.update);
        }
        let limit = self.limit;
        self.rumours.retain(|r| r.sent < limit);
        out
    }

    /// Applies an update by the override rules.
    pub fn apply(&mut self, update: Update) -> Applied {
        if update.member == self.me {
            self.hear_about_me(update);
            return Applied::default();
        }
        let known = self.members[update.member.index()];
        let (i, j) = (update.incarnation, known.incarnation);
        let accept = match (update.health, known.health) {
            (Health::Alive, _) => i > j,
            (Health::Suspect, Health::Alive) => i >= j,
            (Health::Suspect, _) => i > j,
            (Health::Dead, Health::Dead) => i > j,
            (Health::Dead, _) => i >= j,
        };
        if !accept {
            return Applied::default();
        }
        self.members[update.member.index()] = Member {
            health: update.health,
            incarnation: i,
        };
        self.gossip(update);
        let target = update.member;
        let was = known.health != Health::Alive;
        let now = update.health != Health::Alive;
        self.suspected = self.suspected + u32::from(now) - u32::from(was);
        let observation = match (known.health, update.health) {
            (Health::Alive, Health::Suspect) => Some(DetectorObservation::Suspect { target }),
            (Health::Alive | Health::Suspect, Health::Dead) => {
                Some(DetectorObservation::Confirm { target })
            }
            (Health::Suspect | Health::Dead, Health::Alive) => {
                Some(DetectorObservation::Trust { target })
            }
            _ => None,
        };
        Applied {
            observation,
            suspected: (update.health == Health::Suspect).then_some(i),
        }
    }

    /// A rumour about this member: refute suspicion or death at or after the current
    /// incarnation; re-announce against stale ones.
    fn hear_about_me(&mut self, update: Update) {
        if update.health == Health::Alive {
            return;
        }
        let me = &mut self.members[self.me.index()];
        if update.incarnation >= me.incarnation {
            me.incarnation.count = update.incarnation.count + 1;
        } else if self.rumours.iter().any(|r| r.update.member == self.me) {
            return;
        }
        let mine = *me;
        self.gossip(Update {
            member: self.me,
            health: Health::Alive,
            incarnation: mine.incarnation,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inc(count: u32) -> Incarnation {
        Incarnation { life: 0, count }
    }

    fn update(member: u32, health: Health, count: u32) -> Update {
        Update {
            member: NodeId(member),
            health,
            incarnation: inc(count),
        }
    }

    #[test]
    fn override_rules() {
        let mut m = Membership::new(NodeId(0), 3, inc(0), 4);
        let s = m.apply(update(1, Health::Suspect, 0));
        assert_eq!(
            s.observation,
            Some(DetectorObservation::Suspect { target: NodeId(1) })
        );
        assert_eq!(s.suspected, Some(inc(0)));
        // The same suspicion again is no news; alive at the same incarnation loses.
        assert_eq!(m.apply(update(1, Health::Suspect, 0)), Applied::default());
        assert_eq!(m.apply(update(1, Health::Alive, 0)), Applied::default());
        let a = m.apply(update(1, Health::Alive, 1));
        assert_eq!(
            a.observation,
            Some(DetectorObservation::Trust { target: NodeId(1) })
        );
        let d = m.apply(update(1, Health::Dead, 1));
        assert_eq!(
            d.observation,
            Some(DetectorObservation::Confirm { target: NodeId(1) })
        );
        assert_eq!(m.suspected(), 1);
        // A new life rejoins over a confirmed death.
        let back = m.apply(Update {
            member: NodeId(1),
            health: Health::Alive,
            incarnation: Incarnation { life: 1, count: 0 },
        });
        assert_eq!(
            back.observation,
            Some(DetectorObservation::Trust { target: NodeId(1) })
        );
        assert_eq!(m.suspected(), 0);
    }

    #[test]
    fn refutes_suspicion_of_itself() {
        let mut m = Membership::new(NodeId(0), 3, inc(2), 4);
        m.apply(update(0, Health::Suspect, 2));
        assert_eq!(m.member(NodeId(0)).incarnation, inc(3));
        assert_eq!(m.piggyback(8), vec![update(0, Health::Alive, 3)]);
    }

    #[test]
    fn rumours_ride_a_bounded_number_of_messages() {
        let mut m = Membership::new(NodeId(0), 4, inc(0), 2);
        m.gossip(update(1, Health::Suspect, 0));
        m.gossip(update(2, Health::Suspect, 0));
        assert_eq!(m.piggyback(1), vec![update(2, Health::Suspect, 0)]);
        assert_eq!(m.piggyback(1), vec![update(1, Health::Suspect, 0)]);
        assert_eq!(m.piggyback(8).len(), 2);
        assert!(m.piggyback(8).is_empty());
    }
}
