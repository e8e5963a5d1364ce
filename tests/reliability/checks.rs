//! Check bounds in the figure's unit (issue 19): a bare number where the figure has a
//! unit (`availability = ">= 85"`, `latency_p99 = "<= 50"`) was silently misread (85
//! as a fraction is never met; 50 as seconds always is); now it is refused with the
//! form that is accepted, and `==` is refused on durations and fractions (kept for
//! counts), naming the file, the line and the field.

use super::{hasim, quickstart, temp_dir, text};

/// The quickstart with its first check (`availability = ">= 85%"`) replaced by `check`.
fn with_check(check: &str) -> String {
    let text = quickstart();
    assert!(text.contains("availability = \">= 85%\""));
    text.replace("availability = \">= 85%\"", check)
}

fn refused(check: &str) -> String {
    hasim::Registry::builtin()
        .parse(&with_check(check), "bounds.toml".as_ref())
        .map(|_| ())
        .expect_err(check)
        .to_string()
}

fn accepted(check: &str) {
    if let Err(e) = hasim::Registry::builtin().parse(&with_check(check), "bounds.toml".as_ref()) {
        panic!("{check}: {e}");
    }
}

#[test]
fn a_bare_number_on_a_fraction_is_refused_with_both_accepted_forms() {
    let dir = temp_dir("bare_fraction");
    let path = dir.join("bounds.toml");
    std::fs::write(&path, with_check("availability = \">= 85\"")).unwrap();
    let o = hasim(&["check", path.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    assert!(
        err.contains(&format!(
            "{}:38:1: field `check[0].availability`: availability is a fraction: \">= 85\" is outside [0, 1]; write a percentage such as \">= 85%\" or a fraction such as \">= 0.85\"",
            path.display()
        )),
        "{err}"
    );
}

#[test]
fn a_bare_number_on_a_duration_is_refused_with_its_unit() {
    let e = refused("latency_p99 = \"<= 50\"");
    assert!(
        e.contains("bounds.toml:38:1: field `check[0].latency_p99`: latency_p99 is a duration: \"<= 50\" has no unit; write one, as in \"<= 50ms\" or \"<= 50s\""),
        "{e}"
    );
}

#[test]
fn equality_is_refused_on_continuous_figures_and_kept_for_counts() {
    let e = refused("latency_p99 = \"== 50ms\"");
    assert!(
        e.contains("field `check[0].latency_p99`: latency_p99 is a duration, measured on a continuous scale, so `== 50ms` is almost never met exactly; write a range, such as \"<= 50ms\" or \">= 50ms\""),
        "{e}"
    );
    let e = refused("availability = \"== 100%\"");
    assert!(
        e.contains("availability is a fraction, measured on a continuous scale, so `== 100%` is almost never met exactly"),
        "{e}"
    );
    accepted("requests_timeout = \"== 0\"");
}

#[test]
fn the_accepted_forms_still_are() {
    accepted("availability = \">= 85%\"");
    accepted("availability = \">= 0.85\"");
    accepted("availability = \">= 1\"");
    accepted("latency_p99 = \"<= 50ms\"");
    accepted("requests = \">= 100\"");
}
