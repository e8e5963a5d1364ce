//! The trace: one record per event with fixed fields, a running hash of every record,
//! and optional sinks (JSON lines, an in-memory ring, a vector for tests).
//!
//! The trace is the contract: snapshots and determinism checks compare it. Records
//! carry (time, seq, node, verb, detail) from a closed set of verbs; details are built
//! by the protocol through [`Describe`], never from `{:?}` of internals. When no sink is
//! attached, only the hash is computed, and nothing is formatted or allocated.
//!
//! What is hashed is what pins the trace, and no more: every record's words are a cost
//! on every event of every run, so a value the hash already pins is not hashed again.
//! - A message's content is hashed once, by its send record. Its deliver record
//!   hashes the fixed fields only, and writes the source and the full message as text
//!   when a sink is attached: the delivery event's seq is unique to one queued copy of
//!   one send, so which message arrived, and from whom, is already pinned. A drop at
//!   delivery (target down or restarted) hashes the source and the reason but not the
//!   content, for the same reason. A drop decided at send time (loss, partition, cut)
//!   still hashes the content, since it shares its seq with the handler's other
//!   sends.
//! - Time and seq are hashed by the first record of each event (start, delivery,
//!   timer, fault, violation). The records a handler then makes (sends, drops at send
//!   time, writes, observations) carry the same time and seq, pinned by that first
//!   record, and hash only their node, verb and detail.
//! - Node and verb share one word; a name under 8 bytes is one word with its length.

use crate::id::NodeId;
pub use crate::sink::{JsonLinesSink, RingSink, TraceSink, VecSink};
use crate::time::{SimDuration, SimTime};
use core::fmt::Write as _;

/// What a trace record is about. A closed set: tools may rely on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verb {
    /// A node started for the first time.
    Start,
    /// A handler sent a message.
    Send,
    /// A message reached its target's handler.
    Deliver,
    /// A message was lost (loss, partition, target down, stale incarnation).
    Drop,
    /// A timer fired.
    Timer,
    /// A node crashed.
    Crash,
    /// A node restarted from its durable state.
    Restart,
    /// A node froze.
    Pause,
    /// A node thawed; its backlog follows.
    Resume,
    /// Links were cut (partition, isolation, one-way cut, link down).
    Partition,
    /// Cuts were removed.
    Heal,
    /// Another fault: clock jump or drift, loss or latency spike, disk fault.
    Fault,
    /// A handler wrote durable state.
    Persist,
    /// A handler recorded an observation.
    Observe,
    /// A property failed.
    Violation,
}

impl Verb {
    /// The lower-case name used in JSON lines.
    pub const fn name(self) -> &'static str {
        match self {
            Verb::Start => "start",
            Verb::Send => "send",
            Verb::Deliver => "deliver",
            Verb::Drop => "drop",
            Verb::Timer => "timer",
            Verb::Crash => "crash",
            Verb::Restart => "restart",
            Verb::Pause => "pause",
            Verb::Resume => "resume",
            Verb::Partition => "partition",
            Verb::Heal => "heal",
            Verb::Fault => "fault",
            Verb::Persist => "persist",
            Verb::Observe => "observe",
            Verb::Violation => "violation",
        }
    }
}

/// The running trace hash: a 64-bit multiply-rotate mix over fixed-width little-endian
/// words. It depends only on the values fed in, never on addresses, the platform or
/// the build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceHash(u64);

impl Default for TraceHash {
    fn default() -> Self {
        TraceHash(0x243F_6A88_85A3_08D3)
    }
}

impl TraceHash {
    /// Mixes one word in.
    #[inline(always)]
    pub fn word(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(23) ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    /// Mixes a string in (length first, then 8-byte little-endian chunks, the last
    /// one zero-padded).
    #[inline]
    pub fn text(&mut self, s: &str) {
        let bytes = s.as_bytes();
        self.word(bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.word(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        let n = rest.len();
        if n > 0 {
            // The tail zero-padded to a little-endian word: the same value as copying
            // it into a zeroed buffer, but from two overlapping loads, with no call
            // to memcpy and no loop (most names are under 8 bytes: the common case).
            // Overlapping bytes land on their own positions, so OR-ing is exact.
            let w = if n >= 4 {
                let lo = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
                let hi = u32::from_le_bytes([rest[n - 4], rest[n - 3], rest[n - 2], rest[n - 1]]);
                u64::from(lo) | (u64::from(hi) << (8 * (n - 4)))
            } else {
                u64::from(rest[0])
                    | (u64::from(rest[n / 2]) << (8 * (n / 2)))
                    | (u64::from(rest[n - 1]) << (8 * (n - 1)))
            };
            self.word(w);
        }
    }
    /// Mixes a name in (a message kind, a drop reason): from 4 to 7 bytes (most
    /// names), one word holding the bytes and the length in the top byte, which the
    /// bytes never reach and which [`text`]'s first word (a length under 4, or of 8
    /// or more, top byte zero) never has; otherwise as [`text`].
    ///
    /// [`text`]: TraceHash::text
    #[inline(always)]
    pub fn name(&mut self, s: &str) {
        let bytes = s.as_bytes();
        let n = bytes.len();
        if (4..8).contains(&n) {
            let lo = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
            let hi = u32::from_le_bytes([bytes[n - 4], bytes[n - 3], bytes[n - 2], bytes[n - 1]]);
            self.word(u64::from(lo) | (u64::from(hi) << (8 * (n - 4))) | ((n as u64) << 56));
        } else {
            self.text(s);
        }
    }
    /// The hash value, finalised (the state itself is left untouched).
    pub fn value(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 33)).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        z = (z ^ (z >> 33)).wrapping_mul(0xC4CE_B9FE_1A85_EC53);
        z ^ (z >> 33)
    }
}

/// Builds the detail of a record: a name and named fields. Values always feed the
/// hash; text is written only when a sink wants it.
///
/// The hash state is held by value and copied back by the emitter: a describe call
/// reaches it in one load rather than through a pointer.
pub struct Detail<'a> {
    hash: TraceHash,
    text: Option<&'a mut String>,
}

impl<'a> Detail<'a> {
    pub(crate) fn new(hash: TraceHash, text: Option<&'a mut String>) -> Self {
        Detail { hash, text }
    }

    fn sep(&mut self) {
        if let Some(t) = self.text.as_deref_mut() {
            if !t.is_empty() {
                t.push(' ');
            }
        }
    }

    /// Writes ` key=value` when a sink wants text. Out of line and cold: without a
    /// sink (the common case) a field costs one hash word and one branch.
    #[cold]
    #[inline(never)]
    fn field(&mut self, key: &str, value: &dyn core::fmt::Display) {
        self.sep();
        if let Some(t) = self.text.as_deref_mut() {
            let _ = write!(t, "{key}={value}");
        }
    }

    /// Writes ` value` as is when a sink wants text; see [`Detail::field`].
    #[cold]
    #[inline(never)]
    fn bare_text(&mut self, value: &str) {
        self.sep();
        if let Some(t) = self.text.as_deref_mut() {
            t.push_str(value);
        }
    }

    /// The kind of thing described ("heartbeat", "vote_request").
    #[inline]
    pub fn name(&mut self, name: &str) -> &mut Self {
        self.hash.name(name);
        if self.text.is_some() {
            self.bare_text(name);
        }
        self
    }
    /// A name written to the text only, never hashed: what the rest of the record
    /// already pins, such as which part of a composed system a message belongs to
    /// (its variant and the system's configuration say it). A composition of one part
    /// thus traces with the very hash of its model run alone.
    #[inline]
    pub fn label(&mut self, label: &str) -> &mut Self {
        if self.text.is_some() {
            self.bare_text(label);
        }
        self
    }
    /// An unsigned field.
    #[inline]
    pub fn u64(&mut self, key: &str, value: u64) -> &mut Self {
        self.hash.word(value);
        if self.text.is_some() {
            self.field(key, &value);
        }
        self
    }
    /// A signed field.
    #[inline]
    pub fn i64(&mut self, key: &str, value: i64) -> &mut Self {
        self.hash.word(value as u64);
        if self.text.is_some() {
            self.field(key, &value);
        }
        self
    }
    /// A boolean field.
    #[inline]
    pub fn bool(&mut self, key: &str, value: bool) -> &mut Self {
        self.hash.word(u64::from(value));
        if self.text.is_some() {
            self.field(key, &value);
        }
        self
    }
    /// A node field, printed as `n3`.
    #[inline]
    pub fn node(&mut self, key: &str, value: NodeId) -> &mut Self {
        self.hash.word(u64::from(value.0));
        if self.text.is_some() {
            self.field(key, &value);
        }
        self
    }
    /// A duration field, printed with units.
    #[inline]
    pub fn duration(&mut self, key: &str, value: SimDuration) -> &mut Self {
        self.hash.word(value.as_nanos());
        if self.text.is_some() {
            self.field(key, &value);
        }
        self
    }
    /// A time field, printed with units.
    #[inline]
    pub fn time(&mut self, key: &str, value: SimTime) -> &mut Self {
        self.hash.word(value.as_nanos());
        if self.text.is_some() {
            self.field(key, &value);
        }
        self
    }
    /// A short text field. Hashing text costs more than numbers; prefer numbers on hot
    /// paths.
    pub fn str(&mut self, key: &str, value: &str) -> &mut Self {
        self.hash.name(value);
        if self.text.is_some() {
            self.field(key, &value);
        }
        self
    }
    /// Free text, appended as is (fault descriptions). Hashes the text.
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.hash.text(value);
        if self.text.is_some() {
            self.bare_text(value);
        }
        self
    }
    /// Whether text is being written (to skip costly preparation when it is not).
    pub fn wants_text(&self) -> bool {
        self.text.is_some()
    }
}

/// How a message, timer, observation or durable write appears in the trace. Implement
/// it by hand: it is the stable, reviewed face of a type, not its `Debug`.
pub trait Describe {
    /// Writes the name and fields of `self`.
    fn describe(&self, detail: &mut Detail<'_>);
}

impl Describe for () {
    fn describe(&self, detail: &mut Detail<'_>) {
        detail.name("unit");
    }
}

/// A finished trace record, as sinks receive it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Global simulated time.
    pub time: SimTime,
    /// Sequence number of the queue event being processed (0 before the first).
    pub seq: u64,
    /// The node the record concerns, if any.
    pub node: Option<NodeId>,
    /// What happened.
    pub verb: Verb,
    /// Name and fields, as `name key=value ...`.
    pub detail: String,
}

impl Record {
    /// One JSON object on one line, fields in fixed order.
    pub fn to_json_line(&self) -> String {
        let mut out = String::with_capacity(64 + self.detail.len());
        let _ = write!(
            out,
            "{{\"time_ns\":{},\"seq\":{},",
            self.time.as_nanos(),
            self.seq
        );
        match self.node {
            Some(n) => {
                let _ = write!(out, "\"node\":{},", n.0);
            }
            None => out.push_str("\"node\":null,"),
        }
        let _ = write!(out, "\"verb\":\"{}\",\"detail\":\"", self.verb.name());
        for c in self.detail.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                c if (c as u32) < 0x20 => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
                c => out.push(c),
            }
        }
        out.push_str("\"}");
        out
    }
}

impl core::fmt::Display for Record {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let node = match self.node {
            Some(n) => n.to_string(),
            None => "-".to_string(),
        };
        write!(
            f,
            "{:>14} #{:<6} {:>5} {:<9} {}",
            self.time.to_string(),
            self.seq,
            node,
            self.verb.name(),
            self.detail
        )
    }
}

/// The trace of a run: the hash, a record count, and the optional sink.
pub struct Trace {
    pub(crate) hash: TraceHash,
    pub(crate) records: u64,
    sink: Option<Box<dyn TraceSink>>,
    /// The last records, kept to show with a violation (off unless asked for).
    pub(crate) tail: Option<RingSink>,
    pub(crate) text: String,
    /// Neither a sink nor a tail wants text: one flag for `emit` to test per record
    /// rather than two options. Kept in step by `set_sink`, `take_sink`, `set_tail`.
    hash_only: bool,
}

impl Default for Trace {
    fn default() -> Self {
        Trace {
            hash: TraceHash::default(),
            records: 0,
            sink: None,
            tail: None,
            text: String::new(),
            hash_only: true,
        }
    }
}

impl Trace {
    fn refresh(&mut self) {
        self.hash_only = self.sink.is_none() && self.tail.is_none();
    }

    /// Sends every later record to `sink` as well.
    pub(crate) fn set_sink(&mut self, sink: Box<dyn TraceSink>) {
        self.sink = Some(sink);
        self.refresh();
    }

    /// Detaches the sink and hands it back.
    pub(crate) fn take_sink(&mut self) -> Option<Box<dyn TraceSink>> {
        let sink = self.sink.take();
        self.refresh();
        sink
    }

    /// The attached sink, if any.
    pub(crate) fn sink_mut(&mut self) -> Option<&mut (dyn TraceSink + 'static)> {
        self.sink.as_deref_mut()
    }

    /// Keeps the last records in `tail` (or none).
    pub(crate) fn set_tail(&mut self, tail: Option<RingSink>) {
        self.tail = tail;
        self.refresh();
    }

    /// Emits the first record of an event (see the module documentation for what is
    /// hashed). `describe` adds the detail fields. Inlined always: without a sink it
    /// is three hash words and the detail's, on every event.
    #[inline(always)]
    pub(crate) fn emit(
        &mut self,
        time: SimTime,
        seq: u64,
        node: Option<NodeId>,
        verb: Verb,
        describe: impl FnOnce(&mut Detail<'_>),
    ) {
        self.emit_record(true, time, seq, node, verb, describe, |_| {});
    }

    /// Emits a further record of the event whose first record was emitted last (a
    /// handler's send, write or observation): `time` and `seq` are that record's,
    /// written as text but not hashed again.
    #[inline(always)]
    pub(crate) fn emit_more(
        &mut self,
        time: SimTime,
        seq: u64,
        node: Option<NodeId>,
        verb: Verb,
        describe: impl FnOnce(&mut Detail<'_>),
    ) {
        self.emit_record(false, time, seq, node, verb, describe, |_| {});
    }

    /// Emits the first record of an event whose detail is `hashed` followed by
    /// `unhashed`: the latter only written as text, never mixed into the hash (a
    /// delivered message's source and content, pinned by the event's seq). Without a
    /// sink `unhashed` is not called.
    #[inline(always)]
    pub(crate) fn emit_split(
        &mut self,
        time: SimTime,
        seq: u64,
        node: Option<NodeId>,
        verb: Verb,
        hashed: impl FnOnce(&mut Detail<'_>),
        unhashed: impl FnOnce(&mut Detail<'_>),
    ) {
        self.emit_record(true, time, seq, node, verb, hashed, unhashed);
    }

    /// The body of every emit; `first` (a constant at each call site) says whether
    /// time and seq are hashed.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn emit_record(
        &mut self,
        first: bool,
        time: SimTime,
        seq: u64,
        node: Option<NodeId>,
        verb: Verb,
        hashed: impl FnOnce(&mut Detail<'_>),
        unhashed: impl FnOnce(&mut Detail<'_>),
    ) {
        self.records += 1;
        let h = &mut self.hash;
        if first {
            h.word(time.as_nanos());
            h.word(seq);
        }
        // Node and verb in one word: the id in the low 32 bits, bit 32 for "no node",
        // the verb from bit 40.
        h.word(node.map_or(1 << 32, |n| u64::from(n.0)) | ((verb as u64) << 40));
        if self.hash_only {
            let mut detail = Detail::new(*h, None);
            hashed(&mut detail);
            *h = detail.hash;
        } else {
            self.emit_text(time, seq, node, verb, hashed, unhashed);
        }
    }

    /// The rest of `emit` when a sink or a tail wants text: the same hash words, and
    /// the record. Out of line, so that a run without them inlines only the hashing.
    #[cold]
    #[inline(never)]
    fn emit_text(
        &mut self,
        time: SimTime,
        seq: u64,
        node: Option<NodeId>,
        verb: Verb,
        describe: impl FnOnce(&mut Detail<'_>),
        unhashed: impl FnOnce(&mut Detail<'_>),
    ) {
        self.text.clear();
        let mut detail = Detail::new(self.hash, Some(&mut self.text));
        describe(&mut detail);
        self.hash = detail.hash;
        // The unhashed part feeds a throwaway hash: the same text, no effect on the
        // run's hash.
        unhashed(&mut Detail::new(TraceHash::default(), Some(&mut self.text)));
        let record = Record {
            time,
            seq,
            node,
            verb,
            detail: core::mem::take(&mut self.text),
        };
        if let Some(sink) = self.sink.as_deref_mut() {
            sink.record(&record);
        }
        if let Some(tail) = self.tail.as_mut() {
            tail.record(&record);
        }
        self.text = record.detail;
    }

    /// The hash of every record so far.
    pub fn hash(&self) -> u64 {
        self.hash.value()
    }
    /// How many records so far.
    pub fn records(&self) -> u64 {
        self.records
    }
}
