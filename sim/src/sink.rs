//! Trace sinks: where formatted records go (JSON lines, an in-memory ring, a vector
//! for tests). Re-exported from `trace`; split out to keep that module to the records
//! and the hash.

use crate::trace::Record;
use std::collections::VecDeque;
use std::io::Write;

/// Where formatted records go. Attached sinks make the run slower; the hash is
/// computed either way.
pub trait TraceSink {
    /// Receives one record.
    fn record(&mut self, record: &Record);
    /// Flushes buffered output at the end of a run.
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Keeps every record in memory (tests and snapshots).
#[derive(Default, Debug)]
pub struct VecSink(pub Vec<Record>);

impl TraceSink for VecSink {
    fn record(&mut self, record: &Record) {
        self.0.push(record.clone());
    }
}

/// A shared sink: the run writes through one handle while the caller keeps another to
/// read the records afterwards (`take_trace_sink` hands back only a trait object).
impl<T: TraceSink> TraceSink for std::rc::Rc<std::cell::RefCell<T>> {
    fn record(&mut self, record: &Record) {
        self.borrow_mut().record(record);
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.borrow_mut().flush()
    }
}

/// Keeps the last `capacity` records (the tail shown with a violation).
#[derive(Debug)]
pub struct RingSink {
    capacity: usize,
    records: VecDeque<Record>,
}

impl RingSink {
    /// A ring holding at most `capacity` records.
    pub fn new(capacity: usize) -> Self {
        RingSink {
            capacity: capacity.max(1),
            records: VecDeque::with_capacity(capacity.max(1)),
        }
    }
    /// The records held, oldest first.
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.records.iter()
    }
}

impl TraceSink for RingSink {
    fn record(&mut self, record: &Record) {
        if self.records.len() == self.capacity {
            self.records.pop_front();
        }
        self.records.push_back(record.clone());
    }
}

/// Writes JSON lines to any writer (a file, stderr).
pub struct JsonLinesSink<W: Write> {
    out: W,
    error: Option<std::io::Error>,
}

impl<W: Write> JsonLinesSink<W> {
    /// A sink writing to `out`; wrap files in a `BufWriter`.
    pub fn new(out: W) -> Self {
        JsonLinesSink { out, error: None }
    }
}

impl<W: Write> TraceSink for JsonLinesSink<W> {
    fn record(&mut self, record: &Record) {
        if self.error.is_none() {
            if let Err(e) = writeln!(self.out, "{}", record.to_json_line()) {
                self.error = Some(e);
            }
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()
    }
}
