//! Snapshots: placeholder filled below.
