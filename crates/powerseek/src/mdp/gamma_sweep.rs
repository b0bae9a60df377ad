//! POWER against the discount rate: one POWER estimate per γ of a list, for
//! chosen states, with the probability that each of their actions is optimal
//! — how power-seeking changes with farsightedness. Built on
//! [`estimate_power`] alone; every γ reuses the same seed, so every γ sees
//! the same reward functions (common random numbers: the curves' shapes are
//! not blurred by fresh noise at each γ).

use serde::Serialize;

use num_traits::ToPrimitive;

use crate::error::{Error, Result};
use crate::exact::{parse_rational, Rational};
use crate::mdp::power::estimate_power;
use crate::mdp::power_io::PowerRequest;
use crate::mdp::Mdp;
use crate::progress::Progress;
use crate::stats::{wilson, Estimate};

/// Most discount rates one sweep takes.
pub const MAX_GAMMAS: usize = 1_000;

/// Most states a sweep reports when none are named: the start state and its successors.
pub const DEFAULT_STATES: usize = 6;

/// What [`gamma_sweep`] computes.
#[derive(Clone, Debug, Default)]
pub struct GammaSweepRequest {
    /// Every option of one POWER estimate; its `gamma` must be unset (the
    /// sweep's discount rates are `gammas`).
    pub power: PowerRequest,
    /// The discount rates, each in `[0, 1]` (0 and 1: the limits), increasing.
    pub gammas: Vec<f64>,
    /// States to report, by name; empty: the start state (else the first
    /// state) and its distinct successors, at most [`DEFAULT_STATES`].
    pub states: Vec<String>,
}

/// Parse a list of discount rates: `0.1,0.5,0.9`, or `lo:hi:K` for `K ≥ 2`
/// evenly spaced values from `lo` to `hi` (e.g. `0:1:11`; 0 and 1 are the limits).
pub fn parse_gammas(text: &str) -> Result<Vec<f64>> {
    let bad = |what: &str| Error::invalid(format!("gamma: '{text}': {what}"));
    let num = |s: &str| -> Result<f64> {
        s.trim()
            .parse::<f64>()
            .map_err(|_| bad(&format!("'{}' is not a number", s.trim())))
    };
    let parts: Vec<&str> = text.split(':').collect();
    let gammas = match parts.as_slice() {
        [one] => one.split(',').map(num).collect::<Result<Vec<f64>>>()?,
        [lo, hi, k] => {
            // The grid is computed exactly from the decimals as written and
            // each point rounded once to the nearest float, so `0.1:0.9:5`
            // gives 0.3 (what `--gamma 0.3` runs), not 0.1 + 0.8 · 0.25 =
            // 0.30000000000000004.
            num(lo)?;
            num(hi)?;
            let exact = |s: &str| parse_rational(s.trim()).map_err(|e| bad(&e.to_string()));
            let (lo, hi) = (exact(lo)?, exact(hi)?);
            let k: usize = k
                .trim()
                .parse()
                .ok()
                .filter(|&k| (2..=MAX_GAMMAS).contains(&k))
                .ok_or_else(|| {
                    bad(&format!(
                        "the count '{}' must be an integer in 2..={MAX_GAMMAS}",
                        k.trim()
                    ))
                })?;
            let steps = Rational::from_integer(((k - 1) as u64).into());
            (0..k)
                .map(|i| {
                    let g = &lo + (&hi - &lo) * Rational::from_integer((i as u64).into()) / &steps;
                    g.to_f64().unwrap_or(f64::NAN)
                })
                .collect()
        }
        _ => return Err(bad("expected a comma-separated list or lo:hi:K")),
    };
    check_gammas(&gammas)?;
    Ok(gammas)
}

fn check_gammas(gammas: &[f64]) -> Result<()> {
    if gammas.is_empty() || gammas.len() > MAX_GAMMAS {
        return Err(Error::invalid(format!(
            "gamma: {} discount rates given; a sweep takes 1 to {MAX_GAMMAS}",
            gammas.len()
        )));
    }
    if let Some(g) = gammas.iter().find(|g| !(0.0..=1.0).contains(*g)) {
        return Err(Error::invalid(format!("gamma = {g}: discount rates must be in [0, 1]")));
    }
    if gammas.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::invalid("gamma: the discount rates must increase"));
    }
    Ok(())
}

/// One action's chance of being optimal at one γ.
#[derive(Clone, Debug, Serialize)]
pub struct ActionShare {
    /// The action's name.
    pub action: String,
    /// P(optimal) with ties split evenly (sums to 1 over the state's actions).
    pub optimal_share: f64,
    /// 95% Wilson interval of `optimal_share`, taken as a proportion of the samples.
    pub ci95: [f64; 2],
}

/// One chosen state at one γ.
#[derive(Clone, Debug, Serialize)]
pub struct StateAtGamma {
    /// The state's name.
    pub state: String,
    /// `POWER(s)` with standard error and 95% interval.
    pub power: Estimate,
    /// The state's actions.
    pub actions: Vec<ActionShare>,
}

/// Everything measured at one discount rate.
#[derive(Clone, Debug, Serialize)]
pub struct GammaPoint {
    /// The discount rate (0 and 1: the limits).
    pub gamma: f64,
    /// The horizon as the POWER report shows it (`0.9`, `0 (limit)`, `1 (limit)`).
    pub horizon: String,
    /// The chosen states, in the order of [`GammaSweep::states`].
    pub states: Vec<StateAtGamma>,
    /// Reward functions drawn at this γ.
    pub samples: usize,
    /// With a target standard error: whether every state reached it at this γ.
    pub target_reached: Option<bool>,
}

/// The result of [`gamma_sweep`].
#[derive(Clone, Debug, Serialize)]
pub struct GammaSweep {
    /// The chosen states' names.
    pub states: Vec<String>,
    /// The reward distribution in spec syntax.
    pub distribution: String,
    /// The seed every γ used (the same reward functions at every γ).
    pub seed: u64,
    /// One point per γ, in increasing γ.
    pub points: Vec<GammaPoint>,
    /// Wall-clock seconds of the whole sweep.
    pub seconds: f64,
}

/// The states a sweep reports (see [`GammaSweepRequest::states`]).
pub fn sweep_states(mdp: &Mdp, names: &[String]) -> Result<Vec<usize>> {
    if !names.is_empty() {
        return names
            .iter()
            .map(|n| {
                mdp.state_index(n)
                    .ok_or_else(|| Error::invalid(format!("states: '{n}' is not a state of the MDP")))
            })
            .collect();
    }
    let first = mdp.start().unwrap_or(0);
    let mut states = vec![first];
    for a in mdp.actions(first) {
        for &t in mdp.successors(a).0 {
            let t = t as usize;
            if !states.contains(&t) && states.len() < DEFAULT_STATES {
                states.push(t);
            }
        }
    }
    Ok(states)
}

/// POWER and optimal-action probabilities of the chosen states at every γ of
/// the request, each γ a full [`estimate_power`] with the request's options.
pub fn gamma_sweep(mdp: &Mdp, request: &GammaSweepRequest, progress: &dyn Progress) -> Result<GammaSweep> {
    if request.power.gamma.is_some() {
        return Err(Error::invalid(
            "gamma: a sweep takes its discount rates from `gammas`; leave the single gamma unset",
        ));
    }
    check_gammas(&request.gammas)?;
    let states = sweep_states(mdp, &request.states)?;
    let start = std::time::Instant::now();
    let mut points = Vec::with_capacity(request.gammas.len());
    let mut distribution = String::new();
    for &g in &request.gammas {
        let single = PowerRequest {
            gamma: Some(g),
            ..request.power.clone()
        };
        let (dist, options) = single.resolve(mdp)?;
        let report = estimate_power(mdp, &dist, &options, progress)?;
        distribution.clone_from(&report.distribution);
        let n = report.samples as u64;
        let at = |s: usize| StateAtGamma {
            state: mdp.state_name(s).to_string(),
            power: report.power[s],
            actions: mdp
                .actions(s)
                .map(|a| {
                    let share = report.actions[a].optimal_share;
                    ActionShare {
                        action: mdp.action_name(a).to_string(),
                        optimal_share: share,
                        ci95: wilson((share * n as f64).round() as u64, n),
                    }
                })
                .collect(),
        };
        points.push(GammaPoint {
            gamma: g,
            horizon: report.horizon.clone(),
            states: states.iter().map(|&s| at(s)).collect(),
            samples: report.samples,
            target_reached: report.target_reached,
        });
    }
    Ok(GammaSweep {
        states: states.iter().map(|&s| mdp.state_name(s).to_string()).collect(),
        distribution,
        seed: request.power.seed,
        points,
        seconds: start.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_lists_and_ranges_parse() {
        assert_eq!(parse_gammas("0.1,0.5,0.9").unwrap(), vec![0.1, 0.5, 0.9]);
        let r = parse_gammas("0:1:5").unwrap();
        assert_eq!(r, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        // Each grid point is the float nearest the exact decimal grid point.
        assert_eq!(parse_gammas("0.1:0.9:5").unwrap(), vec![0.1, 0.3, 0.5, 0.7, 0.9]);
        let fine = parse_gammas("0.9:0.99:10").unwrap();
        let written: Vec<f64> = (90..100).map(|i| format!("0.{i}").parse().unwrap()).collect();
        assert_eq!(fine, written);
        let tenths = parse_gammas("0:1:11").unwrap();
        assert!(tenths
            .iter()
            .enumerate()
            .all(|(i, g)| g.to_string() == format!("{}", i as f64 / 10.0)));
        for bad in ["0.9,0.5", "1.5", "0:1:1", "a,b", "0:1", "0:1:x"] {
            assert!(parse_gammas(bad).is_err(), "{bad}");
        }
    }
}
