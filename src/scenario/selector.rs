//! Target selectors: how a scenario names nodes without numbers. A node name
//! ("replica-2"), a role ("role:replica"), a region ("region:eu"), a zone ("zone:a"),
//! a rack ("rack:r1"), every node ("all"), one random node ("random") or a random
//! minority ("minority"). Random selectors draw from a stream forked from the run's
//! seed, so they are deterministic per seed. Places are read from [`NodeLabels`],
//! the one record of where a node is: filled from `[network]` zones and group labels,
//! or, with a `[topology]`, from its placement.

use hasim_sim::{NodeId, Stream};

/// A parsed selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    /// One node by name.
    Node(String),
    /// Every node of a role.
    Role(String),
    /// Every node in a region (needs a `[topology]` with regions).
    Region(String),
    /// Every node in a zone.
    Zone(String),
    /// Every node in a rack.
    Rack(String),
    /// Every node.
    All,
    /// One node drawn at random.
    Random,
    /// A random minority: between 1 and (n-1)/2 nodes.
    Minority,
}

/// A node as selectors see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeLabels {
    /// "replica-2".
    pub name: String,
    /// "replica".
    pub role: String,
    /// The region, if the `[topology]` declares regions.
    pub region: Option<String>,
    /// The zone, if placed in one.
    pub zone: Option<String>,
    /// The rack, if placed in one.
    pub rack: Option<String>,
}

impl NodeLabels {
    /// The node's place at `level`, if it has one.
    pub fn at(&self, level: hasim_topologies::Level) -> Option<&str> {
        match level {
            hasim_topologies::Level::Region => self.region.as_deref(),
            hasim_topologies::Level::Zone => self.zone.as_deref(),
            hasim_topologies::Level::Rack => self.rack.as_deref(),
        }
    }
}

impl Selector {
    /// Parses the text form. Names are checked against the nodes by [`Self::check`].
    pub fn parse(text: &str) -> Result<Selector, String> {
        let t = text.trim();
        let labelled = |prefix: &str| t.strip_prefix(prefix).map(|s| s.trim().to_string());
        let sel = match t {
            "all" => Selector::All,
            "random" => Selector::Random,
            "minority" => Selector::Minority,
            _ => {
                if let Some(r) = labelled("role:") {
                    Selector::Role(r)
                } else if let Some(r) = labelled("region:") {
                    Selector::Region(r)
                } else if let Some(z) = labelled("zone:") {
                    Selector::Zone(z)
                } else if let Some(k) = labelled("rack:") {
                    Selector::Rack(k)
                } else {
                    Selector::Node(t.to_string())
                }
            }
        };
        match &sel {
            Selector::Node(s)
            | Selector::Role(s)
            | Selector::Region(s)
            | Selector::Zone(s)
            | Selector::Rack(s)
                if s.is_empty() || s.contains(':') =>
            {
                Err(format!(
                    "{text:?} is not a selector: expected a node name (\"replica-2\"), \"role:R\", \"region:R\", \"zone:Z\", \"rack:K\", \"all\", \"random\" or \"minority\""
                ))
            }
            _ => Ok(sel),
        }
    }

    /// Whether the selector draws at random.
    pub fn is_random(&self) -> bool {
        matches!(self, Selector::Random | Selector::Minority)
    }

    /// Checks that the selector names something that exists; the error says what does.
    pub fn check(&self, nodes: &[NodeLabels]) -> Result<(), String> {
        let known = |mut values: Vec<String>| {
            values.sort();
            values.dedup();
            if values.is_empty() {
                "there are none".to_string()
            } else {
                format!("expected one of: {}", values.join(", "))
            }
        };
        match self {
            Selector::Node(n) if !nodes.iter().any(|x| &x.name == n) => Err(format!(
                "unknown node {n:?}: {}",
                known(nodes.iter().map(|x| x.name.clone()).collect())
            )),
            Selector::Role(r) if !nodes.iter().any(|x| &x.role == r) => Err(format!(
                "unknown role {r:?}: {}",
                known(nodes.iter().map(|x| x.role.clone()).collect())
            )),
            Selector::Region(r) if !nodes.iter().any(|x| x.region.as_ref() == Some(r)) => {
                Err(format!(
                    "no node is in region {r:?}: {}",
                    known(nodes.iter().filter_map(|x| x.region.clone()).collect())
                ))
            }
            Selector::Zone(z) if !nodes.iter().any(|x| x.zone.as_ref() == Some(z)) => Err(format!(
                "no node is in zone {z:?}: {}",
                known(nodes.iter().filter_map(|x| x.zone.clone()).collect())
            )),
            Selector::Rack(k) if !nodes.iter().any(|x| x.rack.as_ref() == Some(k)) => Err(format!(
                "no node is in rack {k:?}: {}",
                known(nodes.iter().filter_map(|x| x.rack.clone()).collect())
            )),
            Selector::Minority if nodes.len() < 3 => Err(format!(
                "\"minority\" needs at least 3 nodes to choose from, found {}",
                nodes.len()
            )),
            _ => Ok(()),
        }
    }

    /// The nodes selected, in id order. `among` restricts random draws; `rng` is the
    /// run's target stream.
    pub fn resolve(&self, nodes: &[NodeLabels], among: &[NodeId], rng: &mut Stream) -> Vec<NodeId> {
        let pick = |f: &dyn Fn(&NodeLabels) -> bool| -> Vec<NodeId> {
            nodes
                .iter()
                .enumerate()
                .filter(|(_, n)| f(n))
                .map(|(i, _)| NodeId(i as u32))
                .collect()
        };
        match self {
            Selector::Node(name) => pick(&|n| &n.name == name),
            Selector::Role(role) => pick(&|n| &n.role == role),
            Selector::Region(region) => pick(&|n| n.region.as_ref() == Some(region)),
            Selector::Zone(zone) => pick(&|n| n.zone.as_ref() == Some(zone)),
            Selector::Rack(rack) => pick(&|n| n.rack.as_ref() == Some(rack)),
            Selector::All => pick(&|_| true),
            Selector::Random => rng.choose(among).map(|&n| vec![n]).unwrap_or_default(),
            Selector::Minority => {
                if among.len() < 2 {
                    return among.to_vec();
                }
                let mut shuffled = among.to_vec();
                rng.shuffle(&mut shuffled);
                let most = ((among.len() - 1) / 2).max(1);
                let size = 1 + rng.below(most as u64) as usize;
                shuffled.truncate(size);
                shuffled.sort();
                shuffled
            }
        }
    }
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Selector::Node(n) => f.write_str(n),
            Selector::Role(r) => write!(f, "role:{r}"),
            Selector::Region(r) => write!(f, "region:{r}"),
            Selector::Zone(z) => write!(f, "zone:{z}"),
            Selector::Rack(k) => write!(f, "rack:{k}"),
            Selector::All => f.write_str("all"),
            Selector::Random => f.write_str("random"),
            Selector::Minority => f.write_str("minority"),
        }
    }
}
