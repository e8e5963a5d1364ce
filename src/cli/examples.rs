//! The examples every subcommand's `--help` ends with (2 to 4 each, on bundled
//! scenarios, so each runs as written from a checkout; a test keeps every subcommand
//! supplied). The man page carries them too.

/// `hasim run`.
pub const RUN: &str = "\
Examples:
  hasim run scenarios/quickstart.toml
  hasim run scenarios/quickstart.toml --seed 7 --json
  hasim run scenarios/quickstart.toml --trace run.jsonl --trace-node server-2 --trace-verb crash,restart
  hasim run scenarios/quickstart.toml --check-determinism";

/// `hasim replay`.
pub const REPLAY: &str = "\
Examples:
  hasim replay scenarios/quickstart.toml --seed 3
  hasim replay scenarios/quickstart.toml --seed 3 --trace run.jsonl
  hasim replay scenarios/quickstart.toml --seed 3 --print-trace --trace-verb crash,partition
  hasim replay scenarios/quickstart.toml --seed 3 --schedule edited.toml";

/// `hasim check`.
pub const CHECK: &str = "\
Examples:
  hasim check scenarios/quickstart.toml
  hasim check scenarios/
  hasim check scenarios/quickstart.toml --json";

/// `hasim list`.
pub const LIST: &str = "\
Examples:
  hasim list
  hasim list raft
  hasim list --json";

/// `hasim sweep`.
pub const SWEEP: &str = "\
Examples:
  hasim sweep scenarios/quickstart.toml --seeds 0..100
  hasim sweep scenarios/quickstart.toml --seeds 0..1000 -j 2 --out results.jsonl
  hasim sweep scenarios/quickstart.toml --seeds 0..1000 --shard 3/8 -q --out shard-3.jsonl
  hasim sweep scenarios/quickstart.toml --seeds 0..100 --report sweep.html";

/// `hasim merge`.
pub const MERGE: &str = "\
Examples:
  hasim merge shard-1.jsonl shard-2.jsonl --out results.jsonl
  hasim merge shard-*.jsonl --json";

/// `hasim report`.
pub const REPORT: &str = "\
Examples:
  hasim report scenarios/quickstart.toml
  hasim report scenarios/quickstart.toml --seed 3 -o run.html
  hasim report scenarios/quickstart.toml --svg timeline.svg";

/// `hasim compare`.
pub const COMPARE: &str = "\
Examples:
  hasim compare scenarios/replication_primary_backup_sync.toml scenarios/replication_primary_backup_lease.toml --seeds 0..20
  hasim compare scenarios/detection_compare_heartbeat.toml --seeds 0..6 --set group.1.params.timeout=2s,3s,5s
  hasim compare scenarios/replication_primary_backup_lease_no_margin_unsafe.toml --seeds 0..10 --set group.0.params.drift_margin=0s,600ms --figure two_primary_time";

/// `hasim shrink`.
pub const SHRINK: &str = "\
Examples:
  hasim shrink scenarios/replication_primary_backup_lease_no_margin_unsafe.toml --seed 1
  hasim shrink scenarios/replication_primary_backup_lease_no_margin_unsafe.toml --seed 1 -o shrunk.toml --runs-max 100";

/// `hasim capacity`.
pub const CAPACITY: &str = "\
Examples:
  hasim capacity scenarios/balancing_power_of_two_crash_slow.toml --rate 10..300
  hasim capacity scenarios/balancing_vip_failover.toml --rate 10..300 --seeds 1..5 --precision 0.05";

/// `hasim gallery`.
pub const GALLERY: &str = "\
Examples:
  hasim gallery
  hasim gallery --check README.md
  hasim gallery --write README.md --seeds 1..=10";

/// `hasim completions`.
pub const COMPLETIONS: &str = "\
Examples:
  hasim completions bash > ~/.local/share/bash-completion/completions/hasim
  hasim completions zsh > ~/.zfunc/_hasim
  hasim completions fish > ~/.config/fish/completions/hasim.fish";

/// `hasim man`.
pub const MAN: &str = "\
Examples:
  hasim man | man -l -
  hasim man -o hasim.1";
