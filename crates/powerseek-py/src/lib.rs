//! Python bindings: a thin layer that converts numpy arrays and Python values
//! to the library's types, releases the GIL for long computations, and maps
//! errors to exceptions with the CLI's messages. The Python package
//! (`python/powerseek`) adds argument checking and the `distributed` module.

mod conflict;
mod game;
mod mdp;
mod multiagent;
mod pomdp;
mod retarget;
mod stochastic;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

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
/// thread) and relays progress to an optional Python callback: on the calling
/// thread it checks signals and calls the callback with what is new; on any
/// other thread (a worker polling without the library's relay) it only reports
/// a signal already seen and counts progress, so workers never contend for the
/// GIL.
struct Interrupt {
    error: Mutex<Option<PyErr>>,
    seen: AtomicBool,
    owner: std::thread::ThreadId,
    /// `callback(done, total)` (total None until the computation knows it).
    callback: Option<Py<PyAny>>,
    total: AtomicU64,
    done: AtomicU64,
    /// The `(done, total)` last passed to the callback.
    shown: Mutex<(u64, u64)>,
}

/// `total` before the computation sets one.
const UNKNOWN: u64 = u64::MAX;

impl Interrupt {
    fn new(callback: Option<Py<PyAny>>) -> Self {
        Interrupt {
            error: Mutex::new(None),
            seen: AtomicBool::new(false),
            owner: std::thread::current().id(),
            callback,
            total: AtomicU64::new(UNKNOWN),
            done: AtomicU64::new(0),
            shown: Mutex::new((0, UNKNOWN)),
        }
    }

    /// Call the callback if the progress changed since it was last called.
    fn report(&self, py: Python<'_>) -> PyResult<()> {
        let Some(callback) = &self.callback else {
            return Ok(());
        };
        let now = (self.done.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed));
        {
            let mut shown = self.shown.lock().expect("not poisoned");
            if *shown == now {
                return Ok(());
            }
            *shown = now;
        }
        let total = (now.1 != UNKNOWN).then_some(now.1);
        callback.call1(py, (now.0, total)).map(|_| ())
    }
}

impl Progress for Interrupt {
    fn set_total(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
    }
    fn advance(&self, done: u64) {
        self.done.fetch_add(done, Ordering::Relaxed);
    }
    fn cancelled(&self) -> bool {
        if self.seen.load(Ordering::Relaxed) {
            return true;
        }
        if std::thread::current().id() != self.owner {
            return false;
        }
        Python::attach(|py| match py.check_signals().and_then(|()| self.report(py)) {
            Ok(()) => false,
            Err(e) => {
                *self.error.lock().expect("not poisoned") = Some(e);
                self.seen.store(true, Ordering::Relaxed);
                true
            }
        })
    }
}

/// How a long call runs, from its `progress=` and `threads=` arguments.
#[derive(Default)]
pub(crate) struct Run {
    /// `callback(done, total)`, called on the calling thread (at most every 20 ms and at the end).
    pub(crate) progress: Option<Py<PyAny>>,
    /// Worker threads (None: the global pool, all cores).
    pub(crate) threads: Option<usize>,
}

impl Run {
    pub(crate) fn new(progress: Option<Py<PyAny>>, threads: Option<usize>) -> Self {
        Run { progress, threads }
    }
}

/// A rayon pool of `threads` workers, built once per size and kept (so
/// repeated calls in a notebook do not start threads each time).
fn pool(threads: usize) -> PyResult<Arc<rayon::ThreadPool>> {
    static POOLS: Mutex<Vec<(usize, Arc<rayon::ThreadPool>)>> = Mutex::new(Vec::new());
    if threads == 0 {
        return Err(PyValueError::new_err(
            "threads must be at least 1 (or None for all cores)",
        ));
    }
    let mut pools = POOLS.lock().expect("not poisoned");
    if let Some((_, p)) = pools.iter().find(|(t, _)| *t == threads) {
        return Ok(p.clone());
    }
    let p = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| PyOSError::new_err(format!("starting {threads} threads: {e}")))?,
    );
    pools.push((threads, p.clone()));
    Ok(p)
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
    let interrupt = Interrupt::new(None);
    let result = py.detach(|| f(&interrupt));
    match (result, interrupt.error.into_inner().expect("not poisoned")) {
        (Err(powerseek::Error::Cancelled), Some(e)) => Err(e),
        (r, _) => r.map_err(py_err),
    }
}

/// [`interruptible`] with `run`'s progress callback and thread count: with
/// either, the work runs beside the calling thread, which polls for Ctrl-C
/// and passes progress to the callback every 20 ms (and once at the end);
/// with `threads`, on a pool of that many workers. An exception the callback
/// raises stops the computation and is raised.
pub(crate) fn run_with<T: Send>(
    py: Python<'_>,
    run: Run,
    f: impl FnOnce(&dyn Progress) -> powerseek::Result<T> + Send,
) -> PyResult<T> {
    if run.progress.is_none() && run.threads.is_none() {
        return interruptible(py, |p| f(p));
    }
    let pool = run.threads.map(pool).transpose()?;
    let interrupt = Interrupt::new(run.progress);
    let result = py.detach(|| {
        powerseek::progress::watch(&interrupt, |relay| match &pool {
            Some(pool) => pool.install(|| f(relay)),
            None => f(relay),
        })
    });
    let error = interrupt.error.lock().expect("not poisoned").take();
    match (result, error) {
        (Err(powerseek::Error::Cancelled), Some(e)) => Err(e),
        (Err(e), _) => Err(py_err(e)),
        // The callback failed on the last poll, after the work was done.
        (Ok(_), Some(e)) => Err(e),
        (Ok(t), None) => {
            interrupt.report(py)?;
            Ok(t)
        }
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
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
    m.add_function(wrap_pyfunction!(mdp::power_sweep, m)?)?;
    m.add_function(wrap_pyfunction!(mdp::parse_gammas, m)?)?;
    m.add_function(wrap_pyfunction!(mdp::power_shards, m)?)?;
    m.add_function(wrap_pyfunction!(mdp::power_partials, m)?)?;
    m.add_function(wrap_pyfunction!(mdp::finish_power, m)?)?;
    m.add_function(wrap_pyfunction!(mdp::visit_distributions, m)?)?;
    m.add_function(wrap_pyfunction!(mdp::exact_power, m)?)?;
    m.add_function(wrap_pyfunction!(game::game_power, m)?)?;
    m.add_function(wrap_pyfunction!(game::alignment, m)?)?;
    retarget::register(m)?;
    m.add_function(wrap_pyfunction!(game::scarcity, m)?)?;
    m.add_function(wrap_pyfunction!(game::scarcity_default_lambdas, m)?)?;
    multiagent::register(m)?;
    conflict::register(m)?;
    stochastic::register(m)?;
    pomdp::register(m)?;
    Ok(())
}

/// A hash of `value` for `__hash__` (consistent with `__eq__` wherever equal
/// objects hash equal values).
pub(crate) fn hash_of(value: &impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
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

/// Replace every `{"__fraction__": [p, q]}` map in `value` by a Fraction
/// (`p`, `q` integers, or decimal text beyond an `i64`), in place: dicts and
/// lists keep their identity and only the tagged entries are swapped.
fn fractions_of<'py>(value: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    use pyo3::sync::PyOnceLock;
    use pyo3::types::{PyDict, PyList};
    static FRACTION: PyOnceLock<(Py<PyAny>, Py<PyAny>, Py<PyAny>)> = PyOnceLock::new();
    let py = value.py();
    if let Ok(dict) = value.cast::<PyDict>() {
        if dict.len() == 1 {
            if let Some(pair) = dict.get_item(powerseek::exact::FRACTION_TAG)? {
                let (p, q): (Bound<'py, PyAny>, Bound<'py, PyAny>) = pair.extract()?;
                let int = |x: Bound<'py, PyAny>| -> PyResult<Bound<'py, PyAny>> {
                    match x.extract::<String>() {
                        Ok(t) => t
                            .parse::<num_bigint::BigInt>()
                            .map_err(|e| PyValueError::new_err(format!("internal error reading {t}: {e}")))?
                            .into_pyobject(py)
                            .map(|b| b.into_any()),
                        Err(_) => Ok(x),
                    }
                };
                // Fractions are immutable: 0 and 1, the most common values
                // (pure strategies), are made once and shared.
                let (class, zero, one) =
                    FRACTION.get_or_try_init(py, || -> PyResult<(Py<PyAny>, Py<PyAny>, Py<PyAny>)> {
                        let class = py.import("fractions")?.getattr("Fraction")?;
                        let zero = class.call1((0, 1))?.unbind();
                        let one = class.call1((1, 1))?.unbind();
                        Ok((class.unbind(), zero, one))
                    })?;
                if let (Ok(p), Ok(1)) = (p.extract::<i64>(), q.extract::<i64>()) {
                    if p == 0 || p == 1 {
                        return Ok((if p == 0 { zero } else { one }).bind(py).clone());
                    }
                }
                return class.bind(py).call1((int(p)?, int(q)?));
            }
        }
        let items: Vec<_> = dict.iter().collect();
        for (k, v) in items {
            let is_container = v.is_instance_of::<PyDict>() || v.is_instance_of::<PyList>();
            if is_container {
                let new = fractions_of(v.clone())?;
                if !new.is(&v) {
                    dict.set_item(k, new)?;
                }
            }
        }
        return Ok(value);
    }
    if let Ok(list) = value.cast::<PyList>() {
        for idx in 0..list.len() {
            let v = list.get_item(idx)?;
            if v.is_instance_of::<PyDict>() || v.is_instance_of::<PyList>() {
                let new = fractions_of(v.clone())?;
                if !new.is(&v) {
                    list.set_item(idx, new)?;
                }
            }
        }
    }
    Ok(value)
}
