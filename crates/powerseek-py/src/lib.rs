//! Python bindings: a thin layer that converts numpy arrays and Python values
//! to the library's types, releases the GIL for long computations, and maps
//! errors to exceptions with the CLI's messages. The Python package
//! (`python/powerseek`) adds argument checking and the `distributed` module.

mod conflict;
mod game;
mod mdp;
mod multiagent;
mod retarget;

use std::sync::Mutex;

use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::exceptions::{PyKeyboardInterrupt, PyMemoryError, PyOSError, PyValueError};
use pyo3::prelude::*;

use powerseek::progress::Progress;

fn py_err(e: powerseek::Error) -> PyErr {
    match e {
        powerseek::Error::Io { .. } => PyOSError::new_err(e.to_string()),
        powerseek::Error::Cancelled => PyKeyboardInterrupt::new_err("interrupted"),
        powerseek::Error::MemoryLimit { .. } => {
            PyMemoryError::new_err(format!("{e} (raise it with powerseek.set_memory_limit)"))
        }
        other => PyValueError::new_err(other.to_string()),
    }
}

/// Polls for Ctrl-C (Python's signal handlers, which run on the main
/// thread): on the calling thread it checks signals; on any other thread
/// (a worker polling without the library's relay) it only reports a signal
/// already seen, so workers never contend for the GIL.
struct Interrupt {
    error: Mutex<Option<PyErr>>,
    seen: AtomicBool,
    owner: std::thread::ThreadId,
}

impl Progress for Interrupt {
    fn cancelled(&self) -> bool {
        if self.seen.load(Ordering::Relaxed) {
            return true;
        }
        if std::thread::current().id() != self.owner {
            return false;
        }
        Python::attach(|py| match py.check_signals() {
            Ok(()) => false,
            Err(e) => {
                *self.error.lock().expect("not poisoned") = Some(e);
                self.seen.store(true, Ordering::Relaxed);
                true
            }
        })
    }
}

/// Set the memory limit requests are checked against: bytes (int), a size
/// such as "4G" or "512M", or None for the default (half of physical memory).
#[pyfunction]
#[pyo3(signature = (limit = None))]
fn set_memory_limit(limit: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    let bytes = match limit {
        None => None,
        Some(x) => Some(match x.extract::<String>() {
            Ok(text) => powerseek::resources::parse_size(&text).map_err(py_err)?,
            Err(_) => x.extract::<u64>().ok().filter(|&b| b > 0).ok_or_else(|| {
                PyValueError::new_err("memory limit: expected a positive int of bytes, a size such as '4G', or None")
            })?,
        }),
    };
    powerseek::resources::set_memory_limit(bytes);
    Ok(())
}

/// The memory limit in bytes.
#[pyfunction]
fn memory_limit() -> u64 {
    powerseek::resources::memory_limit()
}

/// Run `f` without the GIL, turning a Ctrl-C into the KeyboardInterrupt Python raised.
fn interruptible<T: Send>(py: Python<'_>, f: impl FnOnce(&Interrupt) -> powerseek::Result<T> + Send) -> PyResult<T> {
    let interrupt = Interrupt {
        error: Mutex::new(None),
        seen: AtomicBool::new(false),
        owner: std::thread::current().id(),
    };
    let result = py.detach(|| f(&interrupt));
    match (result, interrupt.error.into_inner().expect("not poisoned")) {
        (Err(powerseek::Error::Cancelled), Some(e)) => Err(e),
        (r, _) => r.map_err(py_err),
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<mdp::Mdp>()?;
    m.add_class::<mdp::PowerPartial>()?;
    m.add_function(wrap_pyfunction!(set_memory_limit, m)?)?;
    m.add_function(wrap_pyfunction!(memory_limit, m)?)?;
    m.add_class::<game::Game>()?;
    m.add_class::<game::BayesianGame>()?;
    m.add_function(wrap_pyfunction!(game::solve, m)?)?;
    m.add_function(wrap_pyfunction!(game::solve_bayesian, m)?)?;
    m.add_function(wrap_pyfunction!(game::iter_equilibria, m)?)?;
    m.add_class::<game::EquilibriumStream>()?;
    m.add_function(wrap_pyfunction!(mdp::power, m)?)?;
    m.add_function(wrap_pyfunction!(mdp::batch_size, m)?)?;
    m.add_function(wrap_pyfunction!(mdp::power_partials, m)?)?;
    m.add_function(wrap_pyfunction!(mdp::finish_power, m)?)?;
    m.add_function(wrap_pyfunction!(game::game_power, m)?)?;
    m.add_function(wrap_pyfunction!(game::alignment, m)?)?;
    retarget::register(m)?;
    m.add_function(wrap_pyfunction!(game::scarcity, m)?)?;
    m.add_function(wrap_pyfunction!(game::scarcity_default_lambdas, m)?)?;
    multiagent::register(m)?;
    conflict::register(m)?;
    Ok(())
}

/// A library report as native Python objects with the same fields as the
/// CLI's JSON: dicts, lists, floats, and `fractions.Fraction` for exact values.
pub(crate) fn to_python<'py>(py: Python<'py>, report: &impl serde::Serialize) -> PyResult<Bound<'py, PyAny>> {
    let value = powerseek::exact::tagged(|| pythonize::pythonize(py, report))
        .map_err(|e| PyValueError::new_err(format!("internal error converting a report: {e}")))?;
    fractions_of(value)
}

/// A library request (options with defaults) from a Python dict of its
/// fields: missing fields take the library's defaults, unknown ones are an error.
pub(crate) fn from_python<T: serde::de::DeserializeOwned>(what: &str, value: &Bound<'_, PyAny>) -> PyResult<T> {
    pythonize::depythonize(value).map_err(|e| PyValueError::new_err(format!("{what}: {e}")))
}

/// Replace every `{"__fraction__": [p, q]}` map in `value` by a Fraction.
fn fractions_of(value: Bound<'_, PyAny>) -> PyResult<Bound<'_, PyAny>> {
    use pyo3::types::{PyDict, PyList};
    let py = value.py();
    if let Ok(dict) = value.cast::<PyDict>() {
        if dict.len() == 1 {
            if let Some(pair) = dict.get_item(powerseek::exact::FRACTION_TAG)? {
                let (p, q): (String, String) = pair.extract()?;
                let parse = |t: &str| {
                    t.parse::<num_bigint::BigInt>()
                        .map_err(|e| PyValueError::new_err(format!("internal error reading {t}: {e}")))
                };
                let r = powerseek::Rational::new(parse(&p)?, parse(&q)?);
                return Ok(r.into_pyobject(py)?.into_any());
            }
        }
        let out = PyDict::new(py);
        for (k, v) in dict.iter() {
            out.set_item(k, fractions_of(v)?)?;
        }
        return Ok(out.into_any());
    }
    if let Ok(list) = value.cast::<PyList>() {
        let items = list.iter().map(fractions_of).collect::<PyResult<Vec<_>>>()?;
        return Ok(PyList::new(py, items)?.into_any());
    }
    Ok(value)
}
