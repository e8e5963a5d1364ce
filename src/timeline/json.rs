//! The timeline as compact JSON for the page's script: times in integer nanoseconds,
//! delta-coded along each series, texts interned in one table, records as flat number
//! arrays of a fixed stride. A 500-node run with 150,000 suspicion changes stays a
//! few megabytes, where one SVG element per change took forty.
//!
//! Layout (`v` 1): `end`; `lanes` of `{n name, g group, z zone, s status [dt, 0 down |
//! 1 up | 2 paused]…, r roles [dt, role index | -1]…, x suspected [dt, count]…}`;
//! `roles`, `verbs`, `texts` (tables); `marks` [dt, node | -1, verb, text]…;
//! `dropped` [[node, count]…]; `bands` of `{f, t, k, n, x}`; `req` [dt, 0 ok | 1 failed |
//! 2 unknown, latency ns | -1]…; `msgs` [dt sent, ns to end | -1, from, to, text,
//! 0 delivered | 1 duplicate | 2 dropped | 3 in flight, reason text | -1]…;
//! `msg_total`, `msg_gap` [from, to] | null.

use super::data::{MessageEnd, RequestOutcome, TimelineData};
use hasim_sim::{SimTime, Status};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Strings interned in first-seen order.
#[derive(Default)]
struct Table {
    index: BTreeMap<String, usize>,
    items: Vec<String>,
}

impl Table {
    fn id(&mut self, text: &str) -> usize {
        if let Some(&i) = self.index.get(text) {
            return i;
        }
        self.items.push(text.to_string());
        self.index.insert(text.to_string(), self.items.len() - 1);
        self.items.len() - 1
    }
}

/// `text` as a JSON string, safe inside an HTML `<script>` element.
pub fn string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            // `</script>` or `<!--` inside the data must not end the element.
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Deltas of a time series: each time minus the previous one's.
struct Deltas(u64);

impl Deltas {
    fn next(&mut self, t: SimTime) -> u64 {
        let d = t.as_nanos().saturating_sub(self.0);
        self.0 = t.as_nanos();
        d
    }
}

fn numbers(out: &mut String, values: impl IntoIterator<Item = i64>) {
    out.push('[');
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{v}");
    }
    out.push(']');
}

fn status_code(s: Status) -> i64 {
    match s {
        Status::Down => 0,
        Status::Up => 1,
        Status::Paused => 2,
    }
}

/// The whole timeline as one JSON object.
pub fn encode(data: &TimelineData) -> String {
    let (mut roles, mut verbs, mut texts) = (Table::default(), Table::default(), Table::default());
    let mut out = String::with_capacity(1 << 16);
    let _ = write!(out, "{{\"v\":1,\"end\":{},\"lanes\":[", data.end.as_nanos());
    for (i, lane) in data.lanes.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"n\":");
        string(&mut out, &lane.name);
        out.push_str(",\"g\":");
        string(&mut out, &lane.group);
        out.push_str(",\"z\":");
        match &lane.zone {
            Some(z) => string(&mut out, z),
            None => out.push_str("null"),
        }
        out.push_str(",\"s\":");
        let mut d = Deltas(0);
        numbers(
            &mut out,
            lane.status
                .iter()
                .flat_map(|(t, s)| [d.next(*t) as i64, status_code(*s)]),
        );
        out.push_str(",\"r\":");
        let mut d = Deltas(0);
        let coded: Vec<i64> = lane
            .roles
            .iter()
            .flat_map(|(t, r)| [d.next(*t) as i64, r.map_or(-1, |r| roles.id(r) as i64)])
            .collect();
        numbers(&mut out, coded);
        out.push_str(",\"x\":");
        let mut d = Deltas(0);
        numbers(
            &mut out,
            lane.suspected
                .iter()
                .flat_map(|(t, n)| [d.next(*t) as i64, i64::from(*n)]),
        );
        out.push('}');
    }
    out.push_str("],\"marks\":");
    let mut d = Deltas(0);
    let coded: Vec<i64> = data
        .marks
        .iter()
        .flat_map(|m| {
            [
                d.next(m.time) as i64,
                m.node.map_or(-1, i64::from),
                verbs.id(m.verb) as i64,
                texts.id(&m.text) as i64,
            ]
        })
        .collect();
    numbers(&mut out, coded);
    out.push_str(",\"dropped\":[");
    for (i, (node, count)) in data.marks_dropped.iter().enumerate() {
        let node = if *node == u32::MAX {
            -1
        } else {
            i64::from(*node)
        };
        let _ = write!(out, "{}[{node},{count}]", if i > 0 { "," } else { "" });
    }
    out.push_str("],\"bands\":[");
    for (i, b) in data.bands.iter().enumerate() {
        let _ = write!(
            out,
            "{}{{\"f\":{},\"t\":{},\"k\":",
            if i > 0 { "," } else { "" },
            b.from.as_nanos(),
            b.to.as_nanos()
        );
        string(&mut out, b.kind);
        out.push_str(",\"n\":");
        numbers(&mut out, b.nodes.iter().map(|n| i64::from(*n)));
        out.push_str(",\"x\":");
        string(&mut out, &b.text);
        out.push('}');
    }
    out.push_str("],\"req\":");
    let mut d = Deltas(0);
    numbers(
        &mut out,
        data.requests.iter().flat_map(|r| {
            let outcome = match r.outcome {
                RequestOutcome::Ok => 0,
                RequestOutcome::Failed => 1,
                RequestOutcome::Unknown => 2,
            };
            [
                d.next(r.time) as i64,
                outcome,
                r.latency.map_or(-1, |l| l.as_nanos() as i64),
            ]
        }),
    );
    out.push_str(",\"msgs\":");
    let mut d = Deltas(0);
    let coded: Vec<i64> = data
        .messages
        .iter()
        .flat_map(|m| {
            let sent = m.sent.as_nanos() as i64;
            let (to_end, kind, reason) = match m.end {
                MessageEnd::Delivered(t) => (t.as_nanos() as i64 - sent, 0, -1),
                MessageEnd::Duplicate(t) => (t.as_nanos() as i64 - sent, 1, -1),
                MessageEnd::Dropped(t, why) => {
                    (t.as_nanos() as i64 - sent, 2, texts.id(why) as i64)
                }
                MessageEnd::InFlight => (-1, 3, -1),
            };
            [
                d.next(m.sent) as i64,
                to_end,
                i64::from(m.from),
                i64::from(m.to),
                texts.id(&m.text) as i64,
                kind,
                reason,
            ]
        })
        .collect();
    numbers(&mut out, coded);
    let _ = write!(out, ",\"msg_total\":{},\"msg_gap\":", data.messages_total);
    match data.messages_gap {
        Some((a, b)) => {
            let _ = write!(out, "[{},{}]", a.as_nanos(), b.as_nanos());
        }
        None => out.push_str("null"),
    }
    for (key, table) in [("roles", roles), ("verbs", verbs), ("texts", texts)] {
        let _ = write!(out, ",\"{key}\":[");
        for (i, item) in table.items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            string(&mut out, item);
        }
        out.push(']');
    }
    out.push('}');
    out
}
