//! The structure of one small run's page, snapshotted: the page's elements by id in
//! order, and a summary of the data its script draws (lanes, marks by verb, bands,
//! requests by outcome, messages by how they ended, the tables), not the minified
//! blob itself, so a change in what the page carries shows as a readable diff.

use super::timeline;
use hasim::timeline::{html, json, MessageEnd, RequestOutcome};
use std::collections::BTreeMap;
use std::fmt::Write;

#[test]
fn the_structure_of_a_small_runs_page() {
    let (scenario, result, data) =
        timeline("replication_primary_backup_lease_no_margin_unsafe.toml", 1);
    let page = html::page(&scenario, &result, &data);
    let mut s = String::new();
    let ids: Vec<&str> = page
        .split(" id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    let _ = writeln!(s, "elements: {}", ids.join(" "));
    let _ = writeln!(s, "scripts: {}", page.matches("<script").count());
    let _ = writeln!(s, "end: {}", data.end);
    for lane in &data.lanes {
        let _ = writeln!(
            s,
            "lane {} ({}): {} status changes, roles {:?}, {} suspicion changes",
            lane.name,
            lane.group,
            lane.status.len(),
            lane.roles
                .iter()
                .map(|(t, r)| format!("{t} {}", r.unwrap_or("-")))
                .collect::<Vec<_>>(),
            lane.suspected.len()
        );
    }
    let mut verbs: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &data.marks {
        *verbs.entry(m.verb).or_default() += 1;
    }
    let _ = writeln!(s, "marks by verb: {verbs:?}");
    for m in data.marks.iter().filter(|m| m.verb != "observe") {
        let _ = writeln!(s, "  {}", m.line());
    }
    for b in &data.bands {
        let _ = writeln!(s, "band {}: {}", b.kind, b.text);
    }
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for r in &data.requests {
        *outcomes.entry(format!("{:?}", r.outcome)).or_default() += 1;
    }
    let timed = data
        .requests
        .iter()
        .filter(|r| r.outcome == RequestOutcome::Ok && r.latency.is_some())
        .count();
    let _ = writeln!(
        s,
        "requests by outcome: {outcomes:?}, {timed} ok with a latency"
    );
    let mut ends: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &data.messages {
        let word = match m.end {
            MessageEnd::Delivered(_) => "delivered",
            MessageEnd::Duplicate(_) => "duplicate",
            MessageEnd::Dropped(_, why) => why,
            MessageEnd::InFlight => "in flight",
        };
        *ends.entry(word).or_default() += 1;
    }
    let _ = writeln!(
        s,
        "messages: {} sent, {} carried, by end {ends:?}",
        data.messages_total,
        data.messages.len()
    );
    let encoded: serde_json::Value = serde_json::from_str(&json::encode(&data)).unwrap();
    let keys: Vec<String> = encoded
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| match v {
            serde_json::Value::Array(a) => format!("{k}[{}]", a.len()),
            _ => k.clone(),
        })
        .collect();
    let _ = writeln!(s, "json: {}", keys.join(" "));
    insta::assert_snapshot!(s);
}
