//! Streaming means and variances that merge exactly in a fixed order, and
//! confidence intervals from them.

use rand::Rng;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// The splitmix64 finaliser: a bijection of `u64` that mixes every input bit into every output bit.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The random stream number `index` of `seed` within `domain` (one domain
/// per kind of draw: reward samples, permutation chunks, random games, …),
/// the one rule every indexed stream of §1.3 follows. The generator's
/// 128-bit state is a hash of all three and its increment is fixed.
///
/// Streams must not be told apart by the PCG increment alone: generators
/// that share a state and differ only in their increments produce
/// correlated sequences (the states of streams `k` form an arithmetic
/// progression), which made the `j`-th draws of consecutive reward samples
/// dependent — sample means over the first thousands of samples then
/// strayed up to 1.7 times further than their standard errors said.
pub fn indexed_rng(seed: u64, domain: u64, index: u64) -> rand_pcg::Pcg64 {
    let a = mix64(seed ^ 0x2545_f491_4f6c_dd1d);
    let b = mix64(a ^ domain.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let hi = mix64(b ^ index);
    let lo = mix64(hi ^ 0xd1b5_4a32_d192_ed03);
    let mut rng = rand_pcg::Pcg64::new((hi as u128) << 64 | lo as u128, 0xa02b_dbf7_bb3c_0a7a);
    let _ = rng.next_u64();
    rng
}

/// Means and centred second moments of many quantities over the same samples
/// (Chan et al.'s pairwise update, so batches can be merged).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Moments {
    /// Number of samples seen (a float so merges stay in one type; integral).
    pub count: f64,
    /// Sample mean of each quantity.
    pub mean: Vec<f64>,
    /// Sum of squared deviations from the mean of each quantity
    /// (`m2 / (count − 1)` is the sample variance).
    pub m2: Vec<f64>,
}

impl Moments {
    /// Empty moments (no samples yet) of `len` quantities.
    pub fn new(len: usize) -> Self {
        Moments {
            count: 0.0,
            mean: vec![0.0; len],
            m2: vec![0.0; len],
        }
    }

    /// Moments of `len` quantities observed in `count` samples each, laid out
    /// `x[i * count + j]` (quantity-major, sample fastest), two-pass for accuracy.
    pub fn from_samples(x: &[f64], count: usize) -> Self {
        let len = x.len() / count.max(1);
        let mut m = Moments::new(len);
        m.count = count as f64;
        for i in 0..len {
            let row = &x[i * count..(i + 1) * count];
            let mean = row.iter().sum::<f64>() / count as f64;
            m.mean[i] = mean;
            m.m2[i] = row.iter().map(|v| (v - mean) * (v - mean)).sum();
        }
        m
    }

    /// Add one sample of every quantity (Welford's update), without storing samples.
    pub fn push(&mut self, x: &[f64]) {
        debug_assert_eq!(x.len(), self.mean.len());
        self.count += 1.0;
        let w = 1.0 / self.count;
        for ((mean, m2), &v) in self.mean.iter_mut().zip(self.m2.iter_mut()).zip(x) {
            let d = v - *mean;
            *mean += d * w;
            *m2 += d * (v - *mean);
        }
    }

    /// Fold `other` (later samples) into `self`.
    pub fn merge(&mut self, other: &Moments) {
        if other.count == 0.0 {
            return;
        }
        if self.count == 0.0 {
            *self = other.clone();
            return;
        }
        let n = self.count + other.count;
        let w = other.count / n;
        let cross = self.count * other.count / n;
        for i in 0..self.mean.len() {
            let d = other.mean[i] - self.mean[i];
            self.mean[i] += d * w;
            self.m2[i] += other.m2[i] + d * d * cross;
        }
        self.count = n;
    }

    /// Standard error of the mean of quantity `i`.
    pub fn standard_error(&self, i: usize) -> f64 {
        if self.count < 2.0 {
            return f64::NAN;
        }
        (self.m2[i] / (self.count - 1.0) / self.count).sqrt()
    }

    /// Estimate of quantity `i`, with `t` the interval's t quantile
    /// (`t_quantile_975(count − 1)`, computed once by the caller).
    pub fn estimate(&self, i: usize, t: f64) -> Estimate {
        Estimate::with_quantile(self.mean[i], self.standard_error(i), t)
    }
}

/// A Monte Carlo estimate with its standard error and 95% confidence interval
/// (Student t with `n − 1` degrees of freedom).
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Estimate {
    /// The sample mean.
    pub mean: f64,
    /// Standard error of the mean (NaN with fewer than two samples).
    pub se: f64,
    /// 95% confidence interval `[mean − t·se, mean + t·se]`.
    pub ci95: [f64; 2],
}

impl Estimate {
    /// From `n` samples' mean and standard error.
    pub fn new(mean: f64, se: f64, n: usize) -> Self {
        Self::with_quantile(mean, se, if n >= 2 { t_quantile_975(n - 1) } else { f64::NAN })
    }

    /// With a precomputed t quantile for the interval's half-width.
    pub fn with_quantile(mean: f64, se: f64, t: f64) -> Self {
        let half = t * se;
        Estimate {
            mean,
            se,
            ci95: [mean - half, mean + half],
        }
    }
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile_975(df: usize) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64)
        .map(|t| t.inverse_cdf(0.975))
        .unwrap_or(1.959_963_984_540_054)
}

/// A binomial proportion estimated from `successes` out of `trials`, with
/// its standard error `sqrt(p (1 − p) / trials)` and 95% Wilson interval.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Proportion {
    /// Trials that succeeded.
    pub successes: u64,
    /// Trials.
    pub trials: u64,
    /// `successes / trials` (NaN with no trials).
    pub estimate: f64,
    /// Its standard error (NaN with no trials).
    pub se: f64,
    /// 95% Wilson score interval (`[0, 1]` with no trials).
    pub ci95: [f64; 2],
}

impl Proportion {
    /// The proportion of `successes` in `trials`.
    pub fn new(successes: u64, trials: u64) -> Self {
        let p = successes as f64 / trials as f64;
        Proportion {
            successes,
            trials,
            estimate: p,
            se: (p * (1.0 - p) / trials as f64).sqrt(),
            ci95: wilson(successes, trials),
        }
    }
}

/// 95% Wilson score interval for a binomial proportion.
pub fn wilson(successes: u64, n: u64) -> [f64; 2] {
    if n == 0 {
        return [0.0, 1.0];
    }
    let (z, n) = (1.959_963_984_540_054, n as f64);
    let p = successes as f64 / n;
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / (1.0 + z * z / n);
    [(centre - half).max(0.0), (centre + half).min(1.0)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_moments_equal_direct_ones() {
        let x: Vec<f64> = (0..30).map(|i| ((i * 7919) % 101) as f64 / 10.0).collect();
        let direct = Moments::from_samples(&x, 30);
        let mut merged = Moments::from_samples(&x[..11], 11);
        merged.merge(&Moments::from_samples(&x[11..], 19));
        assert!((direct.mean[0] - merged.mean[0]).abs() < 1e-12);
        assert!((direct.m2[0] - merged.m2[0]).abs() < 1e-9);
        assert!((t_quantile_975(10) - 2.228_138_851_986_27).abs() < 1e-6);
        let mut pushed = Moments::new(1);
        x.iter().for_each(|&v| pushed.push(&[v]));
        assert!((direct.mean[0] - pushed.mean[0]).abs() < 1e-12);
        assert!((direct.m2[0] - pushed.m2[0]).abs() < 1e-9);
    }
}
