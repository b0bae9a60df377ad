//! Games: normal-form and Bayesian games, equilibria, multi-agent POWER,
//! alignment and power scarcity.

use std::path::PathBuf;

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;

use crate::{interruptible, py_err};
use powerseek::game::{parse_rational, NormalFormGame, Rational, Scalar};

/// An n-player normal-form game with exact rational payoffs.
#[pyclass(frozen, module = "powerseek._native")]
pub(crate) struct Game {
    inner: NormalFormGame,
}

pub(crate) fn rational_of(x: f64) -> PyResult<Rational> {
    // The shortest decimal that round-trips, read exactly: 0.1 means 1/10.
    parse_rational(&format!("{x}"))
        .filter(|_| x.is_finite())
        .ok_or_else(|| PyValueError::new_err(format!("payoff {x} is not a finite number")))
}

#[pymethods]
impl Game {
    /// Load a Gambit .nfg or a JSON normal-form game.
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Self> {
        let inner = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => powerseek::game::json::load(&path),
            _ => powerseek::game::nfg::load(&path),
        }
        .map_err(py_err)?;
        Ok(Game { inner })
    }

    /// From the action counts and payoffs laid out profile-major, player 0's action fastest.
    #[staticmethod]
    fn _from_flat(shape: Vec<usize>, payoffs: Vec<f64>) -> PyResult<Self> {
        let exact = payoffs.into_iter().map(rational_of).collect::<PyResult<_>>()?;
        Ok(Game {
            inner: NormalFormGame::from_payoffs(&shape, exact).map_err(py_err)?,
        })
    }

    /// The game in Gambit's .nfg format (exact payoffs; used for pickling).
    fn to_nfg(&self) -> String {
        powerseek::game::nfg::write(&self.inner)
    }

    #[staticmethod]
    fn _from_nfg(text: &str) -> PyResult<Self> {
        Ok(Game {
            inner: powerseek::game::nfg::parse(text, "<pickle>").map_err(py_err)?,
        })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let ctor = slf.py().get_type::<Game>().getattr("_from_nfg")?;
        Ok((ctor, (slf.get().to_nfg(),)))
    }

    #[getter]
    fn shape(&self) -> Vec<usize> {
        self.inner.shape()
    }

    #[getter]
    fn players(&self) -> Vec<String> {
        self.inner.players().to_vec()
    }

    /// Payoffs as floats, laid out like `_from_flat`'s input.
    fn _flat_payoffs(&self) -> Vec<f64> {
        self.inner.payoffs().iter().map(f64::from_rational).collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "Game({} players, actions {:?})",
            self.inner.n_players(),
            self.inner.shape()
        )
    }
}

pub(crate) fn profile_strings(p: &[Vec<Rational>]) -> Vec<Vec<String>> {
    p.iter().map(|s| s.iter().map(|x| x.to_string()).collect()).collect()
}

/// Nash equilibria, each as per-player probability vectors in exact form ("p/q" strings).
#[pyfunction]
pub(crate) fn equilibria(py: Python<'_>, game: &Game) -> PyResult<Vec<Vec<Vec<String>>>> {
    let eqs = py
        .detach(|| powerseek::game::equilibrium::equilibria(&game.inner))
        .map_err(py_err)?;
    Ok(eqs.iter().map(|e| profile_strings(&e.strategies)).collect())
}

pub(crate) fn read_profile(game: &NormalFormGame, profile: Vec<Vec<String>>) -> PyResult<Vec<Vec<Rational>>> {
    let exact: Vec<Vec<Rational>> = profile
        .into_iter()
        .map(|s| {
            s.iter()
                .map(|x| parse_rational(x).ok_or_else(|| PyValueError::new_err(format!("'{x}' is not a number"))))
                .collect::<PyResult<_>>()
        })
        .collect::<PyResult<_>>()?;
    game.check_profile(&exact).map_err(py_err)?;
    Ok(exact)
}

/// Multi-agent POWER of every player at a mixed profile (exact), as JSON text.
#[pyfunction]
pub(crate) fn game_power(game: &Game, profile: Vec<Vec<String>>) -> PyResult<String> {
    let p = read_profile(&game.inner, profile)?;
    let report = powerseek::game::power::normal_form_power(&game.inner, &p);
    Ok(serde_json::json!({
        "power": report.players.iter().map(|x| x.power.to_string()).collect::<Vec<_>>(),
        "expected_payoff": report.players.iter().map(|x| x.expected_payoff.to_string()).collect::<Vec<_>>(),
        "total_power": report.total_power.to_string(),
        "total_regret": report.total_regret.to_string(),
        "is_equilibrium": report.is_equilibrium,
    })
    .to_string())
}

/// Alignment metrics (docs/theory.md §4) with welfare weights, as JSON text of exact values.
#[pyfunction]
pub(crate) fn alignment(game: &Game, weights: Vec<f64>) -> PyResult<String> {
    let w: Vec<Rational> = weights.into_iter().map(rational_of).collect::<PyResult<_>>()?;
    powerseek::game::alignment::check_weights(&game.inner, &w).map_err(py_err)?;
    let a = powerseek::game::alignment::alignment(&game.inner, &w);
    let security = powerseek::game::alignment::security_levels(&game.inner).map_err(py_err)?;
    let threat = powerseek::game::alignment::threat_point(&security);
    Ok(serde_json::json!({
        "alpha": a.alpha.to_string(),
        "max_welfare": a.max_welfare.to_string(),
        "ideal_welfare": a.ideal_welfare.to_string(),
        "max_welfare_profiles": a.max_welfare_profiles.iter().map(|&i| game.inner.profile(i)).collect::<Vec<_>>(),
        "constant_welfare": a.constant_welfare,
        "threat_point": threat.iter().map(|x| x.to_string()).collect::<Vec<_>>(),
    })
    .to_string())
}

/// The power-scarcity sweep over λ (docs/theory.md §5), as JSON text.
#[pyfunction]
#[pyo3(signature = (players, actions, types, games, lambdas, seed, only = None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn scarcity(
    py: Python<'_>,
    players: usize,
    actions: usize,
    types: usize,
    games: usize,
    lambdas: Vec<f64>,
    seed: u64,
    only: Option<usize>,
) -> PyResult<String> {
    let opts = powerseek::game::scarcity::ScarcityOptions {
        players,
        actions,
        types,
        games,
        lambdas,
        seed,
    };
    let indices: Vec<usize> = match only {
        Some(j) => vec![j],
        None => (0..opts.lambdas.len()).collect(),
    };
    let r = interruptible(py, |p| powerseek::game::scarcity::scarcity_sweep_at(&opts, &indices, p))?;
    Ok(serde_json::to_string(&r).expect("plain data"))
}

/// A Bayesian game (types with a common prior, docs/theory.md §3); normal-form games are the one-type case.
#[pyclass(frozen, module = "powerseek._native")]
pub(crate) struct BayesianGame {
    inner: powerseek::game::bayesian::BayesianGame,
}

#[pymethods]
impl BayesianGame {
    /// Load a one-stage Bayesian `.efg`, a Bayesian or normal-form `.json`, or a `.nfg`.
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Self> {
        use powerseek::game::{bayesian, efg, json, nfg};
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let inner = match ext {
            "efg" => efg::load(&path),
            "nfg" => nfg::load(&path).map(|g| bayesian::BayesianGame::from_normal_form(&g)),
            "json" => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| PyOSError::new_err(format!("{}: {e}", path.display())))?;
                let origin = path.display().to_string();
                if bayesian::is_bayesian_json(&text) {
                    bayesian::parse_json(&text, &origin)
                } else {
                    json::parse(&text, &origin).map(|g| bayesian::BayesianGame::from_normal_form(&g))
                }
            }
            other => {
                return Err(PyValueError::new_err(format!(
                    "{}: unknown game file extension '{other}' (expected .efg, .json or .nfg)",
                    path.display()
                )))
            }
        }
        .map_err(py_err)?;
        Ok(BayesianGame { inner })
    }

    /// The one-type Bayesian game of a normal-form game.
    #[staticmethod]
    fn from_game(game: &Game) -> Self {
        BayesianGame {
            inner: powerseek::game::bayesian::BayesianGame::from_normal_form(&game.inner),
        }
    }

    #[getter]
    fn players(&self) -> Vec<String> {
        self.inner.players().to_vec()
    }

    /// Each player's type names.
    #[getter]
    fn types(&self) -> Vec<Vec<String>> {
        (0..self.inner.n_players())
            .map(|i| self.inner.types(i).to_vec())
            .collect()
    }

    /// Each player's action names.
    #[getter]
    fn actions(&self) -> Vec<Vec<String>> {
        (0..self.inner.n_players())
            .map(|i| self.inner.actions(i).to_vec())
            .collect()
    }

    fn __repr__(&self) -> String {
        format!("BayesianGame(players {:?}, types {:?})", self.players(), self.types())
    }
}

/// Bayesian Nash equilibria as behaviours (player × type × action, "p/q" strings).
#[pyfunction]
pub(crate) fn bayesian_equilibria(py: Python<'_>, game: &BayesianGame) -> PyResult<Vec<Vec<Vec<Vec<String>>>>> {
    let eqs = py
        .detach(|| powerseek::game::equilibrium::bayesian_equilibria(&game.inner))
        .map_err(py_err)?;
    Ok(eqs
        .iter()
        .map(|b| b.iter().map(|p| profile_strings(p)).collect())
        .collect())
}

/// Multi-agent POWER (docs/theory.md §3) of every player and type under a behaviour, exact, as JSON text.
#[pyfunction]
pub(crate) fn bayesian_power(game: &BayesianGame, behaviour: Vec<Vec<Vec<String>>>) -> PyResult<String> {
    let sigma: powerseek::game::bayesian::Behaviour<Rational> = behaviour
        .iter()
        .map(|player| {
            player
                .iter()
                .map(|t| {
                    t.iter()
                        .map(|x| {
                            parse_rational(x).ok_or_else(|| PyValueError::new_err(format!("'{x}' is not a number")))
                        })
                        .collect::<PyResult<Vec<_>>>()
                })
                .collect::<PyResult<Vec<_>>>()
        })
        .collect::<PyResult<_>>()?;
    game.inner.check_behaviour(&sigma).map_err(py_err)?;
    let r = powerseek::game::power::bayesian_power(&game.inner, &sigma);
    let text = |x: &Rational| x.to_string();
    Ok(serde_json::json!({
        "power": r.players.iter().map(|p| text(&p.power)).collect::<Vec<_>>(),
        "expected_payoff": r.players.iter().map(|p| text(&p.expected_payoff)).collect::<Vec<_>>(),
        "by_type": r.players.iter().map(|p| p.by_type.iter().map(|v| v.as_ref().map(text)).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "total_power": text(&r.total_power),
        "total_regret": text(&r.total_regret),
        "is_equilibrium": r.is_equilibrium,
    })
    .to_string())
}
