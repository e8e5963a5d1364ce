//! Distributions of durations: latency, service time, time to failure, repair time.
//!
//! Written in scenarios as `{ dist = "uniform", min = "1ms", max = "5ms" }`. Sampling
//! is by inverse CDF or Box–Muller with `libm`, so every platform draws the same values.

use crate::rng::Stream;
use crate::time::SimDuration;
use serde::{Deserialize, Serialize};

/// A distribution of non-negative durations.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum Distribution {
    /// Always `value`.
    Constant {
        /// The one value.
        value: SimDuration,
    },
    /// Uniform on [min, max] at nanosecond resolution.
    Uniform {
        /// Smallest value.
        min: SimDuration,
        /// Largest value.
        max: SimDuration,
    },
    /// Exponential with the given mean (memoryless: Poisson arrivals, MTBF).
    Exponential {
        /// The mean.
        mean: SimDuration,
    },
    /// Normal with mean and standard deviation, truncated at zero by resampling.
    Normal {
        /// Mean before truncation.
        mean: SimDuration,
        /// Standard deviation before truncation.
        sd: SimDuration,
    },
    /// Log-normal: `median * exp(sigma * Z)`; a long right tail for a given median.
    Lognormal {
        /// The median (the scale, e^mu).
        median: SimDuration,
        /// Shape: the standard deviation of the underlying normal.
        sigma: f64,
    },
    /// Pareto (type I): `scale / U^(1/shape)`; a heavy tail starting at `scale`.
    Pareto {
        /// The minimum value.
        scale: SimDuration,
        /// Tail index; the mean is finite only above 1.
        shape: f64,
    },
    /// Weibull: `scale * (-ln U)^(1/shape)`; shape < 1 infant mortality, > 1 wear-out.
    Weibull {
        /// Characteristic life.
        scale: SimDuration,
        /// Shape parameter.
        shape: f64,
    },
}

/// A distribution whose parameters make no sense, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DistributionError(pub String);

impl core::fmt::Display for DistributionError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for DistributionError {}

impl Distribution {
    /// A constant distribution.
    pub const fn constant(value: SimDuration) -> Self {
        Distribution::Constant { value }
    }

    /// Checks the parameters: ordered bounds, positive shapes, finite numbers.
    pub fn validate(&self) -> Result<(), DistributionError> {
        let err = |m: &str| Err(DistributionError(m.to_string()));
        match *self {
            Distribution::Uniform { min, max } if min > max => {
                err("uniform: min must not exceed max")
            }
            Distribution::Lognormal { sigma, .. } if !(sigma.is_finite() && sigma >= 0.0) => {
                err("lognormal: sigma must be a finite number >= 0")
            }
            Distribution::Pareto { shape, .. } if !(shape.is_finite() && shape > 0.0) => {
                err("pareto: shape must be a finite number > 0")
            }
            Distribution::Pareto { scale, .. } if scale.is_zero() => {
                err("pareto: scale must be > 0")
            }
            Distribution::Weibull { shape, .. } if !(shape.is_finite() && shape > 0.0) => {
                err("weibull: shape must be a finite number > 0")
            }
            _ => Ok(()),
        }
    }

    /// Draws one value. The constant and uniform cases, what nearly every network
    /// path uses, are inlined into the caller (every send draws a latency); the
    /// others are out of line.
    #[inline(always)]
    pub fn sample(&self, rng: &mut Stream) -> SimDuration {
        match *self {
            Distribution::Constant { value } => value,
            Distribution::Uniform { min, max } => {
                SimDuration::from_nanos(rng.between(min.as_nanos(), max.as_nanos()))
            }
            _ => self.sample_shaped(rng),
        }
    }

    /// `sample` for the distributions with a shape: the same draws, out of line.
    #[inline(never)]
    fn sample_shaped(&self, rng: &mut Stream) -> SimDuration {
        match *self {
            Distribution::Constant { value } => value,
            Distribution::Uniform { min, max } => {
                SimDuration::from_nanos(rng.between(min.as_nanos(), max.as_nanos()))
            }
            Distribution::Exponential { mean } => {
                SimDuration::from_secs_f64(rng.exponential(mean.as_secs_f64()))
            }
            Distribution::Normal { mean, sd } => {
                // Truncation at zero by rejection; after 64 rejections (a mean many sd
                // below zero) the value is clamped to zero rather than looping on.
                for _ in 0..64 {
                    let x = mean.as_secs_f64() + sd.as_secs_f64() * rng.standard_normal();
                    if x >= 0.0 {
                        return SimDuration::from_secs_f64(x);
                    }
                }
                SimDuration::ZERO
            }
            Distribution::Lognormal { median, sigma } => SimDuration::from_secs_f64(
                median.as_secs_f64() * libm::exp(sigma * rng.standard_normal()),
            ),
            Distribution::Pareto { scale, shape } => {
                let u = 1.0 - rng.unit(); // (0, 1]
                SimDuration::from_secs_f64(scale.as_secs_f64() / libm::pow(u, 1.0 / shape))
            }
            Distribution::Weibull { scale, shape } => {
                let u = 1.0 - rng.unit();
                SimDuration::from_secs_f64(
                    scale.as_secs_f64() * libm::pow(-libm::log(u), 1.0 / shape),
                )
            }
        }
    }

    /// The theoretical mean in seconds (infinite for a Pareto with shape <= 1). For a
    /// normal, the mean before truncation.
    pub fn mean_secs(&self) -> f64 {
        match *self {
            Distribution::Constant { value } => value.as_secs_f64(),
            Distribution::Uniform { min, max } => (min.as_secs_f64() + max.as_secs_f64()) / 2.0,
            Distribution::Exponential { mean } | Distribution::Normal { mean, .. } => {
                mean.as_secs_f64()
            }
            Distribution::Lognormal { median, sigma } => {
                median.as_secs_f64() * libm::exp(sigma * sigma / 2.0)
            }
            Distribution::Pareto { scale, shape } => {
                if shape <= 1.0 {
                    f64::INFINITY
                } else {
                    scale.as_secs_f64() * shape / (shape - 1.0)
                }
            }
            Distribution::Weibull { scale, shape } => {
                scale.as_secs_f64() * libm::tgamma(1.0 + 1.0 / shape)
            }
        }
    }

    /// The theoretical standard deviation in seconds (infinite where it does not exist).
    pub fn sd_secs(&self) -> f64 {
        match *self {
            Distribution::Constant { .. } => 0.0,
            Distribution::Uniform { min, max } => {
                let w = max.as_secs_f64() - min.as_secs_f64();
                w / 12f64.sqrt()
            }
            Distribution::Exponential { mean } => mean.as_secs_f64(),
            Distribution::Normal { sd, .. } => sd.as_secs_f64(),
            Distribution::Lognormal { median, sigma } => {
                let s2 = sigma * sigma;
                median.as_secs_f64() * libm::sqrt((libm::exp(s2) - 1.0) * libm::exp(s2))
            }
            Distribution::Pareto { scale, shape } => {
                if shape <= 2.0 {
                    f64::INFINITY
                } else {
                    let xm = scale.as_secs_f64();
                    xm / (shape - 1.0) * libm::sqrt(shape / (shape - 2.0))
                }
            }
            Distribution::Weibull { scale, shape } => {
                let g1 = libm::tgamma(1.0 + 1.0 / shape);
                let g2 = libm::tgamma(1.0 + 2.0 / shape);
                scale.as_secs_f64() * libm::sqrt(g2 - g1 * g1)
            }
        }
    }
}
