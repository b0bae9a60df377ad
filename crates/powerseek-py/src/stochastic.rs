//! Stochastic games (docs/theory.md §11): the game from a JSON file, from
//! dense rows (numpy) or from a shared gridworld, and the library's POWER
//! report and ρ sweep (`stochastic::request::power`, `request::sweep`), with
//! the options as one dict of the library's `StochasticRequest` fields.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::mdp::Mdp;
use crate::{from_python, interruptible, py_err, to_python};
use powerseek::multiagent::joint::{Grid, JointDynamics, JointOptions, Turns};
use powerseek::stochastic::request::{self, StochasticRequest};
use powerseek::stochastic::{self as sg, DenseGame};

/// A finite n-player stochastic game (without rewards).
#[pyclass(module = "powerseek", frozen)]
pub(crate) struct StochasticGame {
    pub(crate) inner: sg::StochasticGame,
}

#[pymethods]
impl StochasticGame {
    /// The players' names.
    #[getter]
    fn players(&self) -> Vec<String> {
        self.inner.players().to_vec()
    }
    /// The states' names.
    #[getter]
    fn states(&self) -> Vec<String> {
        self.inner.state_names().to_vec()
    }
    /// Number of (state, joint action) pairs.
    #[getter]
    fn n_joint_actions(&self) -> usize {
        self.inner.n_joint_actions()
    }
    /// `simultaneous` or `turn-based`.
    #[getter]
    fn play(&self) -> &'static str {
        match self.inner.play() {
            sg::Play::Simultaneous => "simultaneous",
            sg::Play::TurnBased => "turn-based",
        }
    }
    /// Player `i`'s action names at state `s`.
    fn actions(&self, s: usize, i: usize) -> PyResult<Vec<String>> {
        if s >= self.inner.n_states() || i >= self.inner.n_players() {
            return Err(PyValueError::new_err(format!("no state {s} or player {i}")));
        }
        Ok(self.inner.actions(s, i).to_vec())
    }
    /// The game in the JSON format (`load_stochastic_game` reads it back exactly).
    fn to_json(&self) -> String {
        sg::random::to_json(&self.inner)
    }
    fn __repr__(&self) -> String {
        format!(
            "StochasticGame({} players, {} states, {} joint actions, {})",
            self.inner.n_players(),
            self.inner.n_states(),
            self.inner.n_joint_actions(),
            self.play()
        )
    }
}

/// A seeded random stochastic game: `spec` is the library's `RandomGameSpec` fields.
#[pyfunction]
fn stochastic_game_random(spec: &Bound<'_, PyAny>) -> PyResult<StochasticGame> {
    let spec: sg::random::RandomGameSpec = from_python("random game", spec)?;
    Ok(StochasticGame {
        inner: sg::random::random_game(&spec).map_err(py_err)?,
    })
}

/// A stochastic game from its JSON text (`origin` names it in errors).
#[pyfunction]
fn stochastic_game_json(text: &str, origin: &str) -> PyResult<StochasticGame> {
    Ok(StochasticGame {
        inner: sg::json::parse(text, origin).map_err(py_err)?,
    })
}

/// A stochastic game from dense rows (see the library's `DenseGame`).
#[pyfunction]
#[pyo3(signature = (players, states, actions, transitions, movers = None))]
fn stochastic_game_dense(
    players: Vec<String>,
    states: Vec<String>,
    actions: Vec<Vec<Vec<String>>>,
    transitions: Vec<Vec<Vec<f64>>>,
    movers: Option<Vec<usize>>,
) -> PyResult<StochasticGame> {
    let dense = DenseGame {
        players,
        states,
        actions,
        transitions,
        movers,
    };
    Ok(StochasticGame {
        inner: dense.build().map_err(py_err)?,
    })
}

/// The stochastic game of `agents` agents sharing a gridworld.
#[pyfunction]
fn stochastic_game_grid(
    grid: &Mdp,
    agents: usize,
    turns: &str,
    no_overlap: bool,
    noise: f64,
) -> PyResult<StochasticGame> {
    let turns = match turns {
        "simultaneous" => Turns::Simultaneous,
        "alternating" => Turns::Alternating,
        other => {
            return Err(PyValueError::new_err(format!(
                "turns: '{other}' (expected simultaneous or alternating)"
            )))
        }
    };
    let opts = JointOptions {
        agents,
        turns,
        no_overlap,
        noise,
    };
    let g = Grid::from_gridworld(&grid.inner).map_err(py_err)?;
    let game = JointDynamics::new(&g, &opts)
        .and_then(|d| d.stochastic_game())
        .map_err(py_err)?;
    Ok(StochasticGame { inner: game })
}

/// Every player's POWER at every state, as `powerseek stochastic power`.
#[pyfunction]
fn stochastic_power<'py>(
    py: Python<'py>,
    game: &StochasticGame,
    request: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let request: StochasticRequest = from_python("stochastic-game options", request)?;
    let report = interruptible(py, |p| request::power(&game.inner, &request, p))?;
    to_python(py, &report)
}

/// ΣPOWER against ρ at equilibrium and under the POWERplay protocol, as `powerseek stochastic sweep`.
#[pyfunction]
fn stochastic_sweep<'py>(
    py: Python<'py>,
    game: &StochasticGame,
    request: &Bound<'py, PyAny>,
    rhos: Vec<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let request: StochasticRequest = from_python("stochastic-game options", request)?;
    let report = interruptible(py, |p| request::sweep(&game.inner, &request, &rhos, p))?;
    to_python(py, &report)
}

/// Each player's POWER and ΣPOWER against λ from common payoff (0) to
/// constant-sum (1) at equilibrium, as `powerseek stochastic sweep --lambdas`.
#[pyfunction]
#[pyo3(signature = (game, request, lambdas, progress = None, threads = None))]
fn stochastic_lambda_sweep<'py>(
    py: Python<'py>,
    game: &StochasticGame,
    request: &Bound<'py, PyAny>,
    lambdas: Vec<f64>,
    progress: Option<Py<PyAny>>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let request: StochasticRequest = from_python("stochastic-game options", request)?;
    let report = crate::run_with(py, crate::Run::new(progress, threads), |p| {
        request::lambda_sweep(&game.inner, &request, &lambdas, p)
    })?;
    to_python(py, &report)
}

/// POWER averaged exactly over finite type profiles with a prior: `types` is
/// `{"site": ..., "profiles": [{"name", "prior", "rewards"}]}` with numbers as text.
#[pyfunction]
fn stochastic_type_power<'py>(
    py: Python<'py>,
    game: &StochasticGame,
    request: &Bound<'py, PyAny>,
    types: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let request: StochasticRequest = from_python("stochastic-game options", request)?;
    let types: request::TypesSpec = from_python("type profiles", types)?;
    let report = interruptible(py, |p| request::type_power(&game.inner, &request, &types, p))?;
    to_python(py, &report)
}

/// POWER when each player knows only its own reward among finite type
/// profiles (exact for finite horizons, within a tolerance discounted): `request` is the library's
/// `IncompleteRequest` fields, `types` as for `stochastic_type_power`.
#[pyfunction]
fn stochastic_incomplete_power<'py>(
    py: Python<'py>,
    game: &StochasticGame,
    request: &Bound<'py, PyAny>,
    types: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let request: request::IncompleteRequest = from_python("incomplete-information options", request)?;
    let types: request::TypesSpec = from_python("type profiles", types)?;
    let report = interruptible(py, |p| request::incomplete_type_power(&game.inner, &request, &types, p))?;
    to_python(py, &report)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<StochasticGame>()?;
    m.add_function(wrap_pyfunction!(stochastic_game_json, m)?)?;
    m.add_function(wrap_pyfunction!(stochastic_game_random, m)?)?;
    m.add_function(wrap_pyfunction!(stochastic_game_dense, m)?)?;
    m.add_function(wrap_pyfunction!(stochastic_game_grid, m)?)?;
    m.add_function(wrap_pyfunction!(stochastic_power, m)?)?;
    m.add_function(wrap_pyfunction!(stochastic_sweep, m)?)?;
    m.add_function(wrap_pyfunction!(stochastic_lambda_sweep, m)?)?;
    m.add_function(wrap_pyfunction!(stochastic_type_power, m)?)?;
    m.add_function(wrap_pyfunction!(stochastic_incomplete_power, m)?)?;
    Ok(())
}
