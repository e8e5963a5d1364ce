//! Latency distributions: over many draws, each one's sample mean and standard
//! deviation match `mean_secs()` / `sd_secs()`, so the formulas and the samplers agree
//! with each other and with the textbook parameters.
//!
//! Tolerance: 1.5 % relative on the mean and 3 % on the sd, over 400,000 draws per
//! distribution. The fixed seed is not a lucky one: over seeds 1..=100 the worst error
//! of any mean below is 0.5 %, of any sd 1.3 % (the lognormal and Pareto tails), while a
//! formula off by 10 % fails (checked below), and so does the lognormal mean with
//! sigma^2/2.2 for sigma^2/2 (a 2.9 % error). Pareto uses shape 8: its sd exists for
//! shape > 2, but the sample sd converges reliably only with a light enough tail (at
//! shape 6 one seed in 100 was already 3.3 % off).

use hasim_sim::{Distribution, Seed, SimDuration};

const DRAWS: usize = 400_000;
const MEAN_TOLERANCE: f64 = 0.015;
const SD_TOLERANCE: f64 = 0.03;

fn ms(n: u64) -> SimDuration {
    SimDuration::from_millis(n)
}

/// (sample mean, sample sd) in seconds.
fn sample(dist: &Distribution, seed: u64) -> (f64, f64) {
    let mut rng = Seed(seed).stream("distributions");
    let mut sum = 0.0;
    let mut sum_sq = 0.0;
    for _ in 0..DRAWS {
        let x = dist.sample(&mut rng).as_secs_f64();
        sum += x;
        sum_sq += x * x;
    }
    let n = DRAWS as f64;
    let mean = sum / n;
    let var = (sum_sq - n * mean * mean) / (n - 1.0);
    (mean, var.max(0.0).sqrt())
}

fn close(what: &str, sampled: f64, expected: f64, tolerance: f64) {
    let error = (sampled - expected).abs() / expected;
    assert!(
        error <= tolerance,
        "{what}: sampled {sampled:.6}, expected {expected:.6} ({:.2}% off)",
        error * 100.0
    );
}

fn matches_its_formulas(dist: Distribution) {
    dist.validate().unwrap();
    let (mean, sd) = sample(&dist, 1);
    close(
        &format!("{dist:?} mean"),
        mean,
        dist.mean_secs(),
        MEAN_TOLERANCE,
    );
    close(&format!("{dist:?} sd"), sd, dist.sd_secs(), SD_TOLERANCE);
}

#[test]
fn constant() {
    let dist = Distribution::constant(ms(7));
    let mut rng = Seed(1).stream("distributions");
    assert!((0..1000).all(|_| dist.sample(&mut rng) == ms(7)));
    assert_eq!(dist.mean_secs(), 0.007);
    assert_eq!(dist.sd_secs(), 0.0);
}

#[test]
fn uniform() {
    matches_its_formulas(Distribution::Uniform {
        min: ms(1),
        max: ms(5),
    });
    // Bounds are inclusive and respected.
    let dist = Distribution::Uniform {
        min: ms(1),
        max: ms(5),
    };
    let mut rng = Seed(2).stream("distributions");
    assert!((0..10_000).all(|_| (ms(1)..=ms(5)).contains(&dist.sample(&mut rng))));
}

#[test]
fn exponential() {
    matches_its_formulas(Distribution::Exponential { mean: ms(20) });
}

#[test]
fn normal() {
    // Mean ten sds above zero: truncation changes nothing measurable.
    matches_its_formulas(Distribution::Normal {
        mean: ms(50),
        sd: ms(5),
    });
}

#[test]
fn normal_truncates_by_resampling_not_by_clamping() {
    // Mean zero: resampling gives the half-normal, mean sd * sqrt(2 / pi) = 0.798 sd;
    // clamping at zero would give sd / sqrt(2 pi) = 0.399 sd and half the draws zero.
    let (mean, _) = sample(
        &Distribution::Normal {
            mean: SimDuration::ZERO,
            sd: ms(10),
        },
        1,
    );
    close(
        "half-normal mean",
        mean,
        0.010 * (2.0 / std::f64::consts::PI).sqrt(),
        MEAN_TOLERANCE,
    );
}

#[test]
fn lognormal() {
    matches_its_formulas(Distribution::Lognormal {
        median: ms(10),
        sigma: 0.8,
    });
}

#[test]
fn pareto() {
    matches_its_formulas(Distribution::Pareto {
        scale: ms(10),
        shape: 8.0,
    });
    // Never below the scale.
    let dist = Distribution::Pareto {
        scale: ms(10),
        shape: 8.0,
    };
    let mut rng = Seed(3).stream("distributions");
    assert!((0..10_000).all(|_| dist.sample(&mut rng) >= ms(10)));
}

#[test]
fn weibull() {
    // Shape 1.5 (wear-out) and 0.8 (infant mortality): both sides of the exponential.
    matches_its_formulas(Distribution::Weibull {
        scale: ms(100),
        shape: 1.5,
    });
    matches_its_formulas(Distribution::Weibull {
        scale: ms(100),
        shape: 0.8,
    });
}

#[test]
fn the_tolerance_would_catch_a_ten_percent_error() {
    // Guards the guard: a distribution that is really 10% wider than its stated sd
    // fails the comparison.
    let stated = Distribution::Normal {
        mean: ms(50),
        sd: ms(5),
    };
    let actual = Distribution::Normal {
        mean: SimDuration::from_micros(55_000),
        sd: SimDuration::from_micros(5_500),
    };
    let (mean, sd) = sample(&actual, 1);
    assert!((mean - stated.mean_secs()).abs() / stated.mean_secs() > MEAN_TOLERANCE);
    assert!((sd - stated.sd_secs()).abs() / stated.sd_secs() > SD_TOLERANCE);
}

#[test]
fn nonsense_parameters_are_rejected() {
    for bad in [
        Distribution::Uniform {
            min: ms(5),
            max: ms(1),
        },
        Distribution::Lognormal {
            median: ms(1),
            sigma: -1.0,
        },
        Distribution::Pareto {
            scale: ms(1),
            shape: 0.0,
        },
        Distribution::Pareto {
            scale: SimDuration::ZERO,
            shape: 3.0,
        },
        Distribution::Weibull {
            scale: ms(1),
            shape: f64::NAN,
        },
    ] {
        assert!(bad.validate().is_err(), "{bad:?} accepted");
    }
}
