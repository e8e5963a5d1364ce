//! Behaviour under faults: placeholder filled below.
