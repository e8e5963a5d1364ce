//! The engine's integration tests, as one binary so they link once and share the test
//! protocol. Every test asserts something a wrong engine would get wrong.

// Probe, a scriptable test protocol, and helpers shared by every module.
mod probe;

// Same seed: same hash and trace; other seeds: other traces; sinks do not change the hash;
// the queue's delivery FIFO keeps the heap's order.
mod determinism;
// Crash and restart: timers and in-flight messages voided, incarnations, volatile state.
mod crash;
// Durable storage: synced and unsynced writes, the lose-unsynced and slow disk faults.
mod disk;
// Pause and resume: the backlog arrives after resume, in order, none lost.
mod pause;
// Partitions, one-way cuts, isolation, link down/up, heal: exactly the named directions.
mod partition;
// Local clocks: drift, offset, jumps and drift changes move timers by the right amount.
mod clock;
// Latency distributions: sample mean and spread against the stated formulas.
mod distributions;
// Event budget and horizon stop endless runs with the right outcome; drained queue completes.
mod budget;
// always / eventually / sometimes: violated when broken, hold otherwise, with seed and time.
mod properties;
// The fault generator: reproducible, per-kind streams, windows, restarts by the end.
mod faults;
// Failure and repair processes: crews bound repairs FIFO, per-unit streams, node ∪ rack outages.
mod lifecycle;
// Composition: a part through Within behaves as the protocol alone; projections.
mod within;
// Insta snapshots of a small run's full trace and a generated schedule; JSON lines.
mod snapshot;
