//! Two agents in a shared gridworld.

use numpy::{IntoPyArray, PyArray1, PyArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::mdp::Mdp;
use crate::{interruptible, py_err};

/// Two agents in a shared gridworld (docs/theory.md §8): both agents' POWER at every
/// joint state for each ρ, as `powerseek multi sweep`.
#[pyfunction]
#[pyo3(signature = (grid, rhos, turns, no_overlap, noise, other, seed_policy, gamma, gamma_other, reward_on, interval, samples, seed, tolerance, other_at = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sequential<'py>(
    py: Python<'py>,
    grid: &Mdp,
    rhos: Vec<f64>,
    turns: &str,
    no_overlap: bool,
    noise: f64,
    other: &str,
    seed_policy: Option<String>,
    gamma: f64,
    gamma_other: f64,
    reward_on: &str,
    interval: (f64, f64),
    samples: usize,
    seed: u64,
    tolerance: f64,
    other_at: Option<String>,
) -> PyResult<Bound<'py, PyDict>> {
    use powerseek::multiagent::joint::{Grid, JointDynamics, JointOptions, Turns};
    use powerseek::multiagent::sequential::{Response, RewardSite, SeedPolicies, SequentialOptions};
    let invalid = |m: String| PyValueError::new_err(m);
    let turns = match turns {
        "alternating" => Turns::Alternating,
        "simultaneous" => Turns::Simultaneous,
        t => return Err(invalid(format!("turns '{t}': expected alternating or simultaneous"))),
    };
    let response: Response = other.parse().map_err(py_err)?;
    let site = match reward_on {
        "joint" => RewardSite::JointState,
        "cell" => RewardSite::OwnCell,
        r => return Err(invalid(format!("reward_on '{r}': expected joint or cell"))),
    };
    let g = Grid::from_gridworld(&grid.inner).map_err(py_err)?;
    let other_at = match other_at {
        None => powerseek::multiagent::sequential::OtherPosition::Uniform,
        Some(name) => match g.names.iter().position(|n| *n == name) {
            Some(c) => powerseek::multiagent::sequential::OtherPosition::At(c),
            None => return Err(invalid(format!("other_at '{name}' is not a cell of the grid"))),
        },
    };
    let env = JointOptions {
        agents: 2,
        turns,
        no_overlap,
        noise,
    };
    let dynamics = JointDynamics::new(&g, &env).map_err(py_err)?;
    let mut seeds = SeedPolicies::uniform(&dynamics);
    if let Some(text) = seed_policy {
        seeds.0[1] =
            powerseek::multiagent::sequential::policy_from_json(&dynamics, 1, &text, "seed_policy").map_err(py_err)?;
    }
    let opts = SequentialOptions {
        gamma: [gamma, gamma_other],
        rho: 0.0,
        lo: interval.0,
        hi: interval.1,
        site,
        response,
        samples,
        seed,
        tolerance,
    };
    let sweep = interruptible(py, |p| {
        powerseek::multiagent::sequential::rho_sweep(&dynamics, &seeds, &opts, &rhos, p)
    })?;
    let n = dynamics.n_states();
    let k = sweep.len();
    let (mut power, mut se, mut total, mut total_se, mut cells) = (vec![], vec![], vec![], vec![], vec![]);
    let (mut mean, mut mean_se, mut sum, mut sum_se, mut corr, mut pcorr) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for (_, r) in &sweep {
        for i in 0..2 {
            power.extend(r.power[i].iter().map(|e| e.mean));
            se.extend(r.power[i].iter().map(|e| e.se));
            mean.push(r.mean_power[i].mean);
            mean_se.push(r.mean_power[i].se);
            let means: Vec<f64> = r.power[i].iter().map(|e| e.mean).collect();
            cells.extend(powerseek::multiagent::sequential::per_cell(
                &dynamics, i, &means, other_at,
            ));
        }
        total.extend(r.total.iter().map(|e| e.mean));
        total_se.extend(r.total.iter().map(|e| e.se));
        sum.push(r.mean_total.mean);
        sum_se.push(r.mean_total.se);
        corr.push(r.reward_correlation);
        pcorr.push(r.power_correlation);
    }
    let d = PyDict::new(py);
    let arr3 = |v: Vec<f64>, w: usize| PyArray1::from_vec(py, v).reshape([k, 2, w]);
    let arr2 = |v: Vec<f64>, w: usize| PyArray1::from_vec(py, v).reshape([k, w]);
    d.set_item("rho", rhos.into_pyarray(py))?;
    d.set_item("power", arr3(power, n)?)?;
    d.set_item("se", arr3(se, n)?)?;
    d.set_item("per_cell", arr3(cells, dynamics.cells())?)?;
    d.set_item("total", arr2(total, n)?)?;
    d.set_item("total_se", arr2(total_se, n)?)?;
    d.set_item("mean_power", arr2(mean, 2)?)?;
    d.set_item("mean_power_se", arr2(mean_se, 2)?)?;
    d.set_item("mean_total", sum.into_pyarray(py))?;
    d.set_item("mean_total_se", sum_se.into_pyarray(py))?;
    d.set_item("reward_correlation", corr.into_pyarray(py))?;
    d.set_item("power_correlation", pcorr.into_pyarray(py))?;
    d.set_item("state_names", dynamics.state_names().to_vec())?;
    let positions: Vec<[usize; 2]> = (0..n)
        .map(|s| [dynamics.position(s, 0), dynamics.position(s, 1)])
        .collect();
    d.set_item("positions", positions)?;
    d.set_item("cells", g.names)?;
    d.set_item("samples", samples)?;
    Ok(d)
}
