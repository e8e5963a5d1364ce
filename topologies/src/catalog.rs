//! The topology kinds with their parameters and defaults, as data, so `hasim list`
//! and documentation print the same thing the serde spec accepts. A test checks that
//! every parameter listed here parses.

/// One parameter of a topology kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parameter {
    /// The TOML key.
    pub name: &'static str,
    /// The default, as TOML, or "required".
    pub default: &'static str,
    /// What it sets.
    pub meaning: &'static str,
}

/// One topology kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kind {
    /// The `kind` value.
    pub name: &'static str,
    /// One line on its shape.
    pub summary: &'static str,
    /// Its parameters.
    pub parameters: &'static [Parameter],
}

const fn p(name: &'static str, default: &'static str, meaning: &'static str) -> Parameter {
    Parameter {
        name,
        default,
        meaning,
    }
}

const MS1: &str = "{ dist = \"constant\", value = \"1ms\" }";

const LINK: &[Parameter] = &[
    p("latency", MS1, "latency of every link"),
    p("loss", "0", "loss of every link"),
];

/// Every kind `[topology]` accepts, in the order the guide's Topologies chapter presents them.
pub const KINDS: &[Kind] = &[
    Kind {
        name: "mesh",
        summary: "every pair of hosts linked directly (up to 1,000 hosts)",
        parameters: LINK,
    },
    Kind {
        name: "star",
        summary: "every host linked to one switch, \"hub\"",
        parameters: LINK,
    },
    Kind {
        name: "ring",
        summary: "host i linked to host i+1, the last to the first",
        parameters: LINK,
    },
    Kind {
        name: "tree",
        summary: "a tree of switches from \"root\"; hosts spread over the bottom switches (racks)",
        parameters: &[
            p("fanout", "4", "children per switch"),
            p("depth", "2", "levels of switches, root included"),
            p("latency", MS1, "latency of every link"),
            p("loss", "0", "loss of every link"),
        ],
    },
    Kind {
        name: "zones",
        summary: "regions > zones > racks > hosts; zone switches fully meshed",
        parameters: &[
            p(
                "zones",
                "required (or regions)",
                "zone names of a single region",
            ),
            p(
                "regions",
                "required (or zones)",
                "[{ name = \"eu\", zones = [\"a\", \"b\"] }, ...]",
            ),
            p("racks", "1", "racks per zone, named ZONE/r0, ZONE/r1, ..."),
            p(
                "host_latency",
                "{ dist = \"constant\", value = \"50us\" }",
                "host to rack switch",
            ),
            p("host_loss", "0", "host to rack switch"),
            p(
                "rack_latency",
                "{ dist = \"constant\", value = \"100us\" }",
                "rack to zone switch",
            ),
            p("rack_loss", "0", "rack to zone switch"),
            p("inter_zone_latency", MS1, "zone to zone, same region"),
            p("inter_zone_loss", "0", "zone to zone, same region"),
            p(
                "inter_region_latency",
                "{ dist = \"constant\", value = \"40ms\" }",
                "zone to zone, across regions",
            ),
            p("inter_region_loss", "0", "zone to zone, across regions"),
        ],
    },
    Kind {
        name: "edges",
        summary: "an explicit list of links; integers are hosts, strings are switches",
        parameters: &[
            p(
                "links",
                "required",
                "[{ a = 0, b = \"tor\", latency = ..., loss = ... }, ...]",
            ),
            p("latency", MS1, "latency of links that give none"),
            p("loss", "0", "loss of links that give none"),
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::KINDS;
    use crate::spec::TopologySpec;

    /// Every default listed here is the one serde applies.
    #[test]
    fn listed_defaults_are_the_real_ones() {
        for kind in KINDS {
            let mut table = format!("kind = \"{}\"\n", kind.name);
            let required: Vec<_> = kind
                .parameters
                .iter()
                .filter(|p| p.default.starts_with("required"))
                .collect();
            match kind.name {
                "zones" => table.push_str("zones = [\"a\"]\n"),
                "edges" => table.push_str("links = [{ a = 0, b = 1 }]\n"),
                _ => assert!(required.is_empty()),
            }
            let bare: TopologySpec = toml::from_str(&table).unwrap();
            for p in kind
                .parameters
                .iter()
                .filter(|p| !p.default.starts_with("required"))
            {
                let explicit = format!("{table}{} = {}\n", p.name, p.default);
                let spec: TopologySpec = toml::from_str(&explicit)
                    .unwrap_or_else(|e| panic!("{}.{}: {e}", kind.name, p.name));
                assert_eq!(spec, bare, "{}.{}", kind.name, p.name);
            }
        }
    }
}
