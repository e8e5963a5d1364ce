//! The trace sinks the runner attaches: a JSON-lines file, the `RUST_LOG` bridge to
//! `tracing`, the tail kept for violations, and per-record fingerprints for the
//! determinism check. Each is shared through `Rc<RefCell<..>>` so the runner can read
//! it back after the engine owned it for the run.

use hasim_sim::trace::TraceHash;
use hasim_sim::{Record, RingSink, TraceSink};
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

/// Sends every record to several sinks.
pub struct Tee(pub Vec<Box<dyn TraceSink>>);

impl TraceSink for Tee {
    fn record(&mut self, record: &Record) {
        for s in &mut self.0 {
            s.record(record);
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        let mut result = Ok(());
        for s in &mut self.0 {
            if let Err(e) = s.flush() {
                result = Err(e);
            }
        }
        result
    }
}

/// A sink the runner keeps a handle to.
pub struct Shared<S>(pub Rc<RefCell<S>>);

impl<S: TraceSink> TraceSink for Shared<S> {
    fn record(&mut self, record: &Record) {
        self.0.borrow_mut().record(record);
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

/// JSON lines to a file; the first write error is kept for the runner to report
/// (the engine ignores flush results so that I/O cannot change an outcome). Past
/// `max` bytes it stops writing and says so in `over`, so a long run cannot fill
/// the disk with its trace.
pub struct FileSink {
    out: std::io::BufWriter<std::fs::File>,
    /// The first error, if writing failed.
    pub error: Option<std::io::Error>,
    /// The most bytes the file may hold.
    max: u64,
    /// Bytes written so far.
    written: u64,
    /// Records written so far.
    pub records: u64,
    /// Set when the next record would have taken the file past `max`: it and every
    /// later one were dropped.
    pub over: bool,
    /// Which records are written.
    filter: crate::trace_filter::TraceFilter,
}

impl FileSink {
    /// A sink writing the records `filter` keeps to `file`, at most `max` bytes.
    pub fn new(file: std::fs::File, max: u64, filter: crate::trace_filter::TraceFilter) -> Self {
        FileSink {
            out: std::io::BufWriter::new(file),
            error: None,
            max,
            written: 0,
            records: 0,
            over: false,
            filter,
        }
    }

    /// Flushes what is buffered and returns the file, to sync and commit.
    pub fn finish(&mut self) -> std::io::Result<&std::fs::File> {
        self.out.flush()?;
        Ok(self.out.get_ref())
    }
}

impl TraceSink for FileSink {
    fn record(&mut self, record: &Record) {
        if self.error.is_some() || self.over || !self.filter.keeps(record) {
            return;
        }
        let line = record.to_json_line();
        let size = line.len() as u64 + 1;
        if self.written.saturating_add(size) > self.max {
            self.over = true;
            return;
        }
        match writeln!(self.out, "{line}") {
            Ok(()) => {
                self.written += size;
                self.records += 1;
            }
            Err(e) => self.error = Some(e),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        if self.error.is_none() {
            if let Err(e) = self.out.flush() {
                self.error = Some(e);
            }
        }
        Ok(())
    }
}

/// Forwards records to `tracing` (target `hasim::trace`), stamped with simulated
/// time and node name, for `RUST_LOG=hasim::trace=debug`.
pub struct LogSink {
    /// Node names by id.
    pub names: Vec<String>,
}

impl TraceSink for LogSink {
    fn record(&mut self, r: &Record) {
        let node = r
            .node
            .and_then(|n| self.names.get(n.index()))
            .map_or("-", |s| s.as_str());
        tracing::debug!(
            target: "hasim::trace",
            "t={} node={node} #{} {} {}",
            r.time,
            r.seq,
            r.verb.name(),
            r.detail
        );
    }
}

/// Whether `RUST_LOG` asks for trace records.
pub fn log_enabled() -> bool {
    tracing::enabled!(target: "hasim::trace", tracing::Level::DEBUG)
}

/// The last N records.
pub type Tail = RingSink;

/// A hash of every record, to find where two runs first differ; optionally keeps the
/// record at one index.
#[derive(Default)]
pub struct Fingerprints {
    /// One hash per record.
    pub hashes: Vec<u64>,
    /// Keep the record with this index.
    pub capture: Option<usize>,
    /// The captured record.
    pub captured: Option<Record>,
}

impl TraceSink for Fingerprints {
    fn record(&mut self, record: &Record) {
        if self.capture == Some(self.hashes.len()) {
            self.captured = Some(record.clone());
        }
        let mut h = TraceHash::default();
        h.text(&record.to_json_line());
        self.hashes.push(h.value());
    }
}
