//! Reward distributions `D` over `ℝ^S` (docs/theory.md §2.1) and their reproducible sampling.
//!
//! Every reward sample `k` is drawn from its own random stream
//! (`Pcg64::new(seed, k)`), so a sample's rewards depend only on the seed and
//! its index: never on the number of threads or how samples are batched. With
//! antithetic sampling, samples `2j` and `2j+1` share stream `j` and are
//! mirror images (`u ↔ 1−u`, or a reflection about the mean).

use std::fmt;
use std::str::FromStr;

use rand::RngExt;
use rand_distr::{Beta, Distribution, StandardNormal};
use rand_pcg::Pcg64;

use crate::mdp::kernel::{Block, LANES};

use crate::error::{Error, Result};
use crate::mdp::{Features, Mdp};

/// Largest reward magnitude accepted (a draw, or `w · φ(s)` for feature
/// rewards): far beyond any meaningful scale, and far enough below the
/// largest float (≈1.8e308) that value computations cannot overflow to
/// infinity or NaN (see also [`RewardDistribution::check_scale`]).
pub const MAX_REWARD: f64 = 1e300;

/// The distribution of one real number (one state's reward, or one feature weight).
#[derive(Clone, Debug, PartialEq)]
pub enum Marginal {
    /// Uniform on `[lo, hi]` (spec `uniform:lo,hi`; plain `uniform` is `[0, 1]`,
    /// the default `D_bound`). Antithetic partner: `lo + hi − x`.
    Uniform {
        /// Lower end; finite and below `hi`.
        lo: f64,
        /// Upper end; finite.
        hi: f64,
    },
    /// Beta(α, β) on `[0, 1]` (spec `beta:α,β`). Antithetic sampling needs
    /// α = β (then `1 − x` has the same law).
    Beta {
        /// Shape α > 0.
        alpha: f64,
        /// Shape β > 0.
        beta: f64,
    },
    /// 1 with probability `p`, else 0 (spec `bernoulli:p`).
    Bernoulli {
        /// Probability of a reward of 1, in `[0, 1]`.
        p: f64,
    },
    /// Normal with this mean and standard deviation (spec `normal:mean,sd`).
    /// Antithetic partner: the reflection `2·mean − x`.
    Normal {
        /// The mean; finite.
        mean: f64,
        /// Standard deviation, finite and > 0.
        sd: f64,
    },
    /// `values[i]` with probability `probs[i]` (spec `finite:v1@p1,v2@p2,…`).
    Finite {
        /// The possible draws; finite, at least one.
        values: Vec<f64>,
        /// Their probabilities: non-negative, as many as `values`, summing to 1 (within 1e-9).
        probs: Vec<f64>,
    },
}

/// A distribution over reward functions `R: S → ℝ`.
#[derive(Clone, Debug, PartialEq)]
pub enum RewardDistribution {
    /// Each state's reward drawn independently from the same marginal.
    Iid(Marginal),
    /// `R(s) = w · φ(s)` with each weight `w_f` drawn iid from `weights`.
    Features {
        /// Law of each weight `w_f` (drawn iid, one per feature).
        weights: Marginal,
        /// The feature vectors `φ(s)`, one row per state of the MDP.
        features: Features,
    },
    /// States share draws by group: `R(s) = v_{group[s]}` with `v_g` iid from
    /// `values` — one-hot features stored sparsely (e.g. a joint state's reward
    /// read at one agent's cell); the same draws as the one-hot `Features`.
    Shared {
        /// Law of each group's value `v_g` (drawn iid, one per group).
        values: Marginal,
        /// `group[s]` is the group of state `s`, below `groups`.
        group: Vec<u32>,
        /// Number of groups (draws per reward sample).
        groups: usize,
    },
}

impl Marginal {
    /// Check parameters; errors name the distribution and the parameter.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::invalid(format!("reward distribution {self}: {m}")));
        self.validate_parameters()?;
        if self.magnitude().is_nan() || self.magnitude() > MAX_REWARD {
            return bad(format!(
                "draws could reach ±{:e}, beyond ±{MAX_REWARD:e} (values computed from them would overflow)",
                self.magnitude()
            ));
        }
        Ok(())
    }

    fn validate_parameters(&self) -> Result<()> {
        let bad = |m: String| Err(Error::invalid(format!("reward distribution {self}: {m}")));
        match self {
            Marginal::Uniform { lo, hi } if !(lo.is_finite() && hi.is_finite() && lo < hi) => {
                bad("needs finite lo < hi".into())
            }

            Marginal::Beta { alpha, beta }
                if !(*alpha > 0.0 && *beta > 0.0 && alpha.is_finite() && beta.is_finite()) =>
            {
                bad("α and β must be positive".into())
            }
            Marginal::Bernoulli { p } if !(0.0..=1.0).contains(p) => bad("p must be in [0, 1]".into()),
            Marginal::Normal { mean, sd } if !(mean.is_finite() && *sd > 0.0 && sd.is_finite()) => {
                bad("needs a finite mean and sd > 0".into())
            }
            Marginal::Finite { values, probs } => {
                if values.is_empty() || values.len() != probs.len() {
                    return bad("needs as many values as probabilities, at least one".into());
                }
                if values.iter().any(|v| !v.is_finite()) || probs.iter().any(|p| !(p.is_finite() && *p >= 0.0)) {
                    return bad("values must be finite and probabilities non-negative".into());
                }
                let total: f64 = probs.iter().sum();
                if (total - 1.0).abs() > 1e-9 {
                    return bad(format!("probabilities sum to {total}, not 1"));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// A bound on the magnitude of any draw (for a normal, the mean ± 40 sd:
    /// beyond any value its sampler returns).
    pub fn magnitude(&self) -> f64 {
        match self {
            Marginal::Uniform { lo, hi } => lo.abs().max(hi.abs()),
            Marginal::Beta { .. } | Marginal::Bernoulli { .. } => 1.0,
            Marginal::Normal { mean, sd } => mean.abs() + 40.0 * sd,
            Marginal::Finite { values, .. } => values.iter().fold(0.0, |m, v| m.max(v.abs())),
        }
    }

    /// The expected value of a draw (`(lo + hi)/2`, `α/(α + β)`, `p`, the
    /// mean, or `Σ values·probs`).
    pub fn mean(&self) -> f64 {
        match self {
            Marginal::Uniform { lo, hi } => 0.5 * (lo + hi),
            Marginal::Beta { alpha, beta } => alpha / (alpha + beta),
            Marginal::Bernoulli { p } => *p,
            Marginal::Normal { mean, .. } => *mean,
            Marginal::Finite { values, probs } => values.iter().zip(probs).map(|(v, p)| v * p).sum(),
        }
    }

    /// Whether an antithetic partner with the same distribution exists.
    pub fn supports_antithetic(&self) -> bool {
        !matches!(self, Marginal::Beta { alpha, beta } if alpha != beta)
    }

    /// One draw and its antithetic partner (same distribution, negatively correlated).
    #[inline]
    fn draw_pair(&self, sampler: &Sampler, rng: &mut Pcg64) -> (f64, f64) {
        match (self, sampler) {
            (Marginal::Uniform { lo, hi }, _) => {
                let u: f64 = rng.random();
                (lo + (hi - lo) * u, lo + (hi - lo) * (1.0 - u))
            }
            (Marginal::Normal { mean, sd }, _) => {
                let z: f64 = StandardNormal.sample(rng);
                (mean + sd * z, mean - sd * z)
            }
            (Marginal::Beta { .. }, Sampler::Beta(b)) => {
                let x = b.sample(rng);
                (x, 1.0 - x)
            }
            (Marginal::Bernoulli { p }, _) => {
                let u: f64 = rng.random();
                ((u < *p) as u8 as f64, ((1.0 - u) < *p) as u8 as f64)
            }
            (Marginal::Finite { values, .. }, Sampler::Cumulative(c)) => {
                let u: f64 = rng.random();
                let pick = |u: f64| values[c.partition_point(|&x| x <= u).min(values.len() - 1)];
                (pick(u), pick(1.0 - u))
            }
            _ => unreachable!("sampler built by Marginal::sampler"),
        }
    }

    fn sampler(&self) -> Sampler {
        match self {
            Marginal::Beta { alpha, beta } => Sampler::Beta(Beta::new(*alpha, *beta).expect("validated parameters")),
            Marginal::Finite { probs, .. } => Sampler::Cumulative(
                probs
                    .iter()
                    .scan(0.0, |acc, p| {
                        *acc += p;
                        Some(*acc)
                    })
                    .collect(),
            ),
            _ => Sampler::Plain,
        }
    }
}

/// Precomputed state for drawing from a [`Marginal`].
enum Sampler {
    Plain,
    Beta(Beta<f64>),
    Cumulative(Vec<f64>),
}

/// A parameter as written in a spec: plain decimals, or exponent notation
/// for very large or small magnitudes (so `1e300` is not 301 digits).
fn param(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-6..1e16).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

impl fmt::Display for Marginal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = |x: &f64| param(*x);
        match self {
            Marginal::Uniform { lo, hi } => write!(f, "uniform:{},{}", p(lo), p(hi)),
            Marginal::Beta { alpha, beta } => write!(f, "beta:{},{}", p(alpha), p(beta)),
            Marginal::Bernoulli { p: q } => write!(f, "bernoulli:{}", p(q)),
            Marginal::Normal { mean, sd } => write!(f, "normal:{},{}", p(mean), p(sd)),
            Marginal::Finite { values, probs } => {
                let parts: Vec<String> = values
                    .iter()
                    .zip(probs)
                    .map(|(v, q)| format!("{}@{}", p(v), p(q)))
                    .collect();
                write!(f, "finite:{}", parts.join(","))
            }
        }
    }
}

impl FromStr for Marginal {
    type Err = Error;
    /// `uniform` (= `uniform:0,1`), `uniform:lo,hi`, `beta:α,β`, `bernoulli:p`,
    /// `normal:mean,sd`, `finite:v1@p1,v2@p2,...`.
    fn from_str(spec: &str) -> Result<Self> {
        let (name, args) = spec.split_once(':').unwrap_or((spec, ""));
        let err = |m: &str| Error::invalid(format!("reward distribution '{spec}': {m}"));
        let nums = |n: usize| -> Result<Vec<f64>> {
            let v: Vec<f64> = args
                .split(',')
                .map(|x| {
                    x.trim()
                        .parse::<f64>()
                        .map_err(|_| err(&format!("'{x}' is not a number")))
                })
                .collect::<Result<_>>()?;
            if v.len() != n {
                return Err(err(&format!("expected {n} comma-separated numbers")));
            }
            Ok(v)
        };
        let m = match name.trim() {
            "uniform" if args.is_empty() => Marginal::Uniform { lo: 0.0, hi: 1.0 },
            "uniform" => {
                let v = nums(2)?;
                Marginal::Uniform { lo: v[0], hi: v[1] }
            }
            "beta" => {
                let v = nums(2)?;
                Marginal::Beta { alpha: v[0], beta: v[1] }
            }
            "bernoulli" => Marginal::Bernoulli { p: nums(1)?[0] },
            "normal" => {
                let v = nums(2)?;
                Marginal::Normal { mean: v[0], sd: v[1] }
            }
            "finite" => {
                let mut values = Vec::new();
                let mut probs = Vec::new();
                for part in args.split(',') {
                    let (v, p) = part.split_once('@').ok_or_else(|| err(&format!("'{part}': expected value@probability")))?;
                    values.push(v.trim().parse().map_err(|_| err(&format!("'{v}' is not a number")))?);
                    probs.push(p.trim().parse().map_err(|_| err(&format!("'{p}' is not a number")))?);
                }
                Marginal::Finite { values, probs }
            }
            other => {
                return Err(err(&format!(
                    "unknown distribution '{other}' (expected uniform, beta, bernoulli, normal, finite, or features:<dist>)"
                )))
            }
        };
        m.validate()?;
        Ok(m)
    }
}

impl RewardDistribution {
    /// The default `D_bound`: iid uniform on [0, 1].
    pub fn uniform() -> Self {
        RewardDistribution::Iid(Marginal::Uniform { lo: 0.0, hi: 1.0 })
    }

    /// Parse a command-line spec for `mdp`: a [`Marginal`] spec for iid rewards,
    /// or `features:<marginal>` for `R = w·φ(s)` using the MDP's features.
    pub fn parse_for(spec: &str, mdp: &Mdp) -> Result<Self> {
        match spec
            .strip_prefix("features:")
            .or(if spec == "features" { Some("uniform") } else { None })
        {
            Some(weights) => {
                let features = mdp.features().ok_or_else(|| {
                    Error::invalid(format!("reward distribution '{spec}': the MDP has no state features"))
                })?;
                Ok(RewardDistribution::Features {
                    weights: weights.parse()?,
                    features: features.clone(),
                })
            }
            None => Ok(RewardDistribution::Iid(spec.parse()?)),
        }
    }

    fn marginal(&self) -> &Marginal {
        match self {
            RewardDistribution::Iid(m) => m,
            RewardDistribution::Features { weights, .. } => weights,
            RewardDistribution::Shared { values, .. } => values,
        }
    }

    /// A bound on the magnitude of any reward this distribution gives a state.
    pub fn reward_bound(&self) -> f64 {
        match self {
            RewardDistribution::Iid(m) | RewardDistribution::Shared { values: m, .. } => m.magnitude(),
            RewardDistribution::Features { weights, features } => {
                let k = features.n_features();
                let largest = features
                    .values
                    .chunks(k.max(1))
                    .map(|phi| phi.iter().map(|f| f.abs()).sum::<f64>())
                    .fold(0.0, f64::max);
                weights.magnitude() * largest
            }
        }
    }

    /// Values under `horizon` stay finite: rewards up to [`reward_bound`]
    /// give discounted values up to `bound / (1 − γ)`, which must stay
    /// within [`MAX_REWARD`].
    ///
    /// [`reward_bound`]: RewardDistribution::reward_bound
    pub fn check_scale(&self, horizon: crate::mdp::solve::Horizon) -> Result<()> {
        let bound = self.reward_bound();
        let values = match horizon {
            crate::mdp::solve::Horizon::Discounted(g) if g < 1.0 => bound / (1.0 - g),
            _ => bound,
        };
        if values.is_nan() || values > MAX_REWARD {
            return Err(Error::invalid(format!(
                "reward distribution {self}: rewards up to ±{bound:e} give values up to ±{values:.3e} at γ = {horizon}, \
                 beyond ±{MAX_REWARD:e} (they would overflow); rescale the rewards or the features"
            )));
        }
        Ok(())
    }

    /// Check the distribution against an MDP with `n_states` states.
    pub fn validate(&self, n_states: usize, antithetic: bool) -> Result<()> {
        self.marginal().validate()?;
        if let RewardDistribution::Features { features, .. } = self {
            if features.values.len() != n_states * features.n_features() {
                return Err(Error::invalid("feature table does not match the number of states"));
            }
            let bound = self.reward_bound();
            if bound.is_nan() || bound > MAX_REWARD {
                return Err(Error::invalid(format!(
                    "reward distribution {self}: feature rewards w · φ(s) could reach ±{bound:e}, beyond ±{MAX_REWARD:e} \
                     (they would overflow); rescale the features"
                )));
            }
        }
        if let RewardDistribution::Shared { group, groups, .. } = self {
            if group.len() != n_states || group.iter().any(|&g| g as usize >= *groups) {
                return Err(Error::invalid(
                    "shared rewards: need one group below the group count per state",
                ));
            }
        }
        if antithetic && !self.marginal().supports_antithetic() {
            return Err(Error::invalid(format!(
                "antithetic sampling needs a symmetric or discrete distribution; {} is neither",
                self.marginal()
            )));
        }
        Ok(())
    }

    /// Expected reward of state `s`.
    pub fn mean_reward(&self, s: usize) -> f64 {
        match self {
            RewardDistribution::Iid(m) => m.mean(),
            RewardDistribution::Features { weights, features } => weights.mean() * features.of(s).iter().sum::<f64>(),
            RewardDistribution::Shared { values, .. } => values.mean(),
        }
    }

    /// Write the rewards of samples `first..first + count` into `out`, laid out
    /// state-major with the sample index fastest: `out[s * count + j]` is state
    /// `s`'s reward in sample `first + j`. With `antithetic`, `first` and `count`
    /// must be even. (The same draws as [`RewardDistribution::fill_block`], block by block.)
    pub fn fill(&self, seed: u64, first: usize, count: usize, antithetic: bool, out: &mut [f64]) {
        let n_states = out.len() / count.max(1);
        debug_assert_eq!(out.len(), n_states * count);
        let mut block = vec![Block::ZERO; n_states];
        let mut draws = Draws::default();
        for start in (0..count).step_by(LANES) {
            let width = LANES.min(count - start);
            self.fill_block(seed, first + start, width, antithetic, &mut draws, &mut block);
            for (s, b) in block.iter().enumerate() {
                out[s * count + start..s * count + start + width].copy_from_slice(&b.0[..width]);
            }
        }
    }

    /// Draw samples `first..first + width` (`width ≤ LANES`) straight into a
    /// block: `out[s].0[j]` is state `s`'s reward in sample `first + j`, and
    /// lanes from `width` on are zero. Sample `k` comes from its own stream
    /// (antithetic pairs `2i, 2i + 1` from stream `i`), drawn state by state,
    /// so the rewards do not depend on how samples are grouped into blocks.
    /// `draws` holds reusable buffers.
    pub fn fill_block(
        &self,
        seed: u64,
        first: usize,
        width: usize,
        antithetic: bool,
        draws: &mut Draws,
        out: &mut [Block],
    ) {
        debug_assert!(width <= LANES);
        debug_assert!(!antithetic || (first.is_multiple_of(2) && width.is_multiple_of(2)));
        let sampler = self.marginal().sampler();
        let step = if antithetic { 2 } else { 1 };
        let Draws { rngs, weights } = draws;
        rngs.clear();
        rngs.extend(
            (0..width)
                .step_by(step)
                .map(|j| sample_rng(seed, ((first + j) / step) as u64)),
        );
        let streams = rngs.len();
        // Lane of stream i and its antithetic partner.
        let put = |b: &mut Block, i: usize, (x, y): (f64, f64)| {
            b.0[i * step] = x;
            if antithetic {
                b.0[i * step + 1] = y;
            }
        };
        match self {
            // The common case gets a loop of its own, with the draw inlined.
            RewardDistribution::Iid(Marginal::Uniform { lo, hi }) if !antithetic => {
                let (lo, span) = (*lo, hi - lo);
                for b in out.iter_mut() {
                    *b = Block::ZERO;
                    for (x, rng) in b.0.iter_mut().zip(rngs.iter_mut()) {
                        let u: f64 = rng.random();
                        *x = lo + span * u;
                    }
                }
            }
            RewardDistribution::Iid(m) => {
                for b in out.iter_mut() {
                    *b = Block::ZERO;
                    for (i, rng) in rngs.iter_mut().enumerate() {
                        put(b, i, m.draw_pair(&sampler, rng));
                    }
                }
            }
            RewardDistribution::Features { weights: m, features } => {
                // Each stream draws all its weights first, as a whole sample does.
                let k = features.n_features();
                weights.clear();
                for rng in rngs.iter_mut() {
                    weights.extend((0..k).map(|_| m.draw_pair(&sampler, rng)));
                }
                for (s, b) in out.iter_mut().enumerate() {
                    *b = Block::ZERO;
                    let phi = features.of(s);
                    for i in 0..streams {
                        let w = &weights[i * k..(i + 1) * k];
                        let dot =
                            |pick: fn(&(f64, f64)) -> f64| phi.iter().zip(w).map(|(f, w)| f * pick(w)).sum::<f64>();
                        put(b, i, (dot(|w| w.0), dot(|w| w.1)));
                    }
                }
            }
            RewardDistribution::Shared {
                values: m,
                group,
                groups,
            } => {
                weights.clear();
                for rng in rngs.iter_mut() {
                    weights.extend((0..*groups).map(|_| m.draw_pair(&sampler, rng)));
                }
                for (b, &g) in out.iter_mut().zip(group.iter()) {
                    *b = Block::ZERO;
                    for i in 0..streams {
                        put(b, i, weights[i * groups + g as usize]);
                    }
                }
            }
        }
    }
}

/// Reusable buffers of [`RewardDistribution::fill_block`]: one random stream
/// per lane and the drawn weights of feature or shared rewards.
#[derive(Default)]
pub struct Draws {
    rngs: Vec<Pcg64>,
    weights: Vec<(f64, f64)>,
}

/// The random stream of reward sample `stream` under `seed` ([`crate::stats::indexed_rng`], domain 0).
pub(crate) fn sample_rng(seed: u64, stream: u64) -> Pcg64 {
    crate::stats::indexed_rng(seed, 0, stream)
}

impl fmt::Display for RewardDistribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RewardDistribution::Iid(m) => write!(f, "{m}"),
            RewardDistribution::Features { weights, .. } => write!(f, "features:{weights}"),
            RewardDistribution::Shared { values, .. } => write!(f, "{values} per cell"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs_and_rejects_bad_ones() {
        assert_eq!(
            "uniform".parse::<Marginal>().unwrap(),
            Marginal::Uniform { lo: 0.0, hi: 1.0 }
        );
        assert_eq!(
            "beta:2,3".parse::<Marginal>().unwrap(),
            Marginal::Beta { alpha: 2.0, beta: 3.0 }
        );
        let f: Marginal = "finite:0@0.25,1@0.75".parse().unwrap();
        assert!((f.mean() - 0.75).abs() < 1e-15);
        for bad in [
            "uniform:1,0",
            "beta:0,1",
            "bernoulli:1.5",
            "normal:0,-1",
            "finite:0@0.5",
            "gauss",
            "uniform:a,b",
            "normal:nan,1",
        ] {
            assert!(bad.parse::<Marginal>().is_err(), "{bad}");
        }
    }

    #[test]
    fn samples_depend_only_on_seed_and_index() {
        let d = RewardDistribution::uniform();
        let mut all = vec![0.0; 3 * 8];
        d.fill(7, 0, 8, false, &mut all);
        let mut tail = vec![0.0; 3 * 4];
        d.fill(7, 4, 4, false, &mut tail);
        for s in 0..3 {
            assert_eq!(&all[s * 8 + 4..s * 8 + 8], &tail[s * 4..s * 4 + 4]);
        }
    }

    #[test]
    fn antithetic_pairs_mirror_and_means_match() {
        for spec in [
            "uniform:-1,3",
            "normal:2,0.5",
            "bernoulli:0.3",
            "finite:0@0.2,5@0.8",
            "beta:2,2",
        ] {
            let m: Marginal = spec.parse().unwrap();
            let d = RewardDistribution::Iid(m.clone());
            let n = 20_000;
            let mut out = vec![0.0; n];
            d.fill(1, 0, n, true, &mut out);
            let mean = out.iter().sum::<f64>() / n as f64;
            let var = out.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
            assert!(
                (mean - m.mean()).abs() < 5.0 * (var / n as f64).sqrt() + 1e-12,
                "{spec}: {mean}"
            );
            if let Marginal::Uniform { lo, hi } = m {
                assert!(out.chunks(2).all(|p| (p[0] + p[1] - lo - hi).abs() < 1e-12));
            }
        }
        assert!(RewardDistribution::Iid("beta:2,5".parse().unwrap())
            .validate(1, true)
            .is_err());
    }

    #[test]
    fn distributions_that_would_overflow_are_errors() {
        for (spec, msg) in [
            ("uniform:-1e308,1e308", "beyond ±1e300"),
            ("normal:0,1e299", "beyond ±1e300"),
            ("finite:1e305@1", "beyond ±1e300"),
            ("uniform:0,inf", "needs finite lo < hi"),
        ] {
            let e = spec.parse::<Marginal>().unwrap_err().to_string();
            assert!(
                e.contains(&format!("'{spec}'")) || e.contains("reward distribution"),
                "{e}"
            );
            assert!(e.contains(msg), "{spec}: {e}");
        }
        let features = Features {
            names: vec!["a".into(), "b".into()],
            values: vec![1e300, 1e300, 0.0, 1.0],
        };
        let d = RewardDistribution::Features {
            weights: "uniform:-1,1".parse().unwrap(),
            features,
        };
        let e = d.validate(2, false).unwrap_err().to_string();
        assert!(e.contains("feature rewards w · φ(s) could reach ±2e300"), "{e}");
        let d = RewardDistribution::Iid("uniform:0,1e299".parse().unwrap());
        d.validate(3, false).unwrap();
        let e = d
            .check_scale(crate::mdp::solve::Horizon::Discounted(0.99))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("uniform:0,1e299: rewards up to ±1e299 give values up to ±1.000e301 at γ = 0.99"),
            "{e}"
        );
        d.check_scale(crate::mdp::solve::Horizon::Discounted(0.5)).unwrap();
    }
}
