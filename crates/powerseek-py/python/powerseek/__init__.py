"""powerseek: POWER, multi-agent POWER, alignment metrics and orbit tendencies.

A thin Python layer over the Rust library: numpy arrays in and out, exact
game-theoretic values as :class:`fractions.Fraction`, long computations run
without the GIL and stop on Ctrl-C.

Every long call takes ``progress=`` (``True`` for a tqdm bar, a tqdm-like bar,
or a callback ``f(done, total)``) and ``threads=`` (worker threads; results do
not depend on it); see :mod:`powerseek._progress`. Objects researchers already
have come in through :mod:`powerseek.adapters` (Gymnasium, MiniGrid,
pygambit, OpenSpiel) and :func:`mdp_from_sparse` (scipy.sparse).

    >>> import powerseek
    >>> corridor = powerseek.gridworld("T.T\\n")
    >>> r = powerseek.power(corridor, gamma=0.0, samples=20_000)
    >>> bool(abs(r["power"][1] - 0.75) < 4 * r["se"][1])   # E[max of 3 U(0,1)] = 3/4
    True
"""

from __future__ import annotations

from fractions import Fraction
from typing import Callable, Optional, Sequence, Union

import numpy as np

from . import _native
from ._native import BayesianGame, Game, Mdp, PowerPartial, StochasticGame
from ._native import memory_limit, set_memory_limit
from ._progress import progress_callback as _progress_callback
from ._progress import threads_arg as _threads_arg
from .adapters import from_gymnasium, from_minigrid, from_openspiel, from_pygambit, to_openspiel, to_pygambit

#: The package's version: the Cargo workspace's, compiled into the extension.
__version__: str = _native.__version__

__all__ = [
    "__version__",
    "from_gymnasium",
    "from_minigrid",
    "from_pygambit",
    "to_pygambit",
    "from_openspiel",
    "to_openspiel",
    "mdp_from_sparse",
    "set_memory_limit",
    "memory_limit",
    "Mdp",
    "Game",
    "BayesianGame",
    "PowerPartial",
    "load_mdp",
    "gridworld",
    "mdp_from_numpy",
    "power",
    "visit_distributions",
    "power_sweep",
    "load_game",
    "game_from_numpy",
    "payoffs",
    "solve",
    "equilibria",
    "iter_equilibria",
    "game_power",
    "load_bayesian",
    "bayesian_equilibria",
    "bayesian_power",
    "alignment",
    "orbit_tendency",
    "retarget_orbit",
    "retarget_check",
    "retarget_mean",
    "retarget_cycle",
    "retarget_mdp",
    "retarget_learned",
    "trained_tendency",
    "training_compatible",
    "scarcity",
    "sequential_power",
    "rho_sweep",
    "conflict_simulate",
    "conflict_phase",
    "conflict_infer",
    "conflict_calibrate",
    "StochasticGame",
    "load_stochastic_game",
    "stochastic_game",
    "stochastic_game_from_grid",
    "random_stochastic_game",
    "stochastic_power",
    "stochastic_sweep",
    "stochastic_lambda_sweep",
    "stochastic_type_power",
    "stochastic_incomplete_power",
    "pomdp_power",
    "retarget_pomdp",
]


def _call(native, *args, progress=None, threads=None):
    """``native(*args)`` with the ``progress=`` and ``threads=`` arguments every
    long call takes (see :mod:`powerseek._progress`)."""
    count = _threads_arg(threads)
    with _progress_callback(progress) as callback:
        return native(*args, progress=callback, threads=count)


def _path(path, what: str) -> str:
    """A file argument as a string; anything else is a TypeError saying what is accepted."""
    import os

    if isinstance(path, (str, os.PathLike)):
        return os.fspath(path)
    raise TypeError(f"{what} takes a file path (str or os.PathLike), not {type(path).__module__}.{type(path).__qualname__}{_ADAPTER_HINT.get(what, '')}")


_ADAPTER_HINT = {
    "load_game": "; for a pygambit game use powerseek.from_pygambit, for an OpenSpiel game powerseek.from_openspiel, for a payoff array powerseek.game_from_numpy",
    "load_bayesian": "; for a pygambit game use powerseek.from_pygambit, for an OpenSpiel game powerseek.from_openspiel",
    "load_mdp": "; for a Gymnasium environment use powerseek.from_gymnasium, for MiniGrid powerseek.from_minigrid, for arrays powerseek.mdp_from_numpy or mdp_from_sparse",
}


def _given(**fields) -> dict:
    """The fields that were given (None means: the library's default)."""
    return {k: v for k, v in fields.items() if v is not None}


def load_mdp(path: str) -> Mdp:
    """Load an MDP from a .grid, .json, .mdp or .pomdp file."""
    return Mdp.load(_path(path, "load_mdp"))


def gridworld(text: str) -> Mdp:
    """An MDP from gridworld text (the .grid format: '#' walls, '.' floor, 'T' terminal, ...)."""
    return Mdp.gridworld(text)


def _float_array(x, name: str, ndim: Optional[int] = None) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(f"{name} must be a numeric array (got dtype {arr.dtype})")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions (got shape {arr.shape})")
    return np.ascontiguousarray(arr, dtype=np.float64)


def _features_arg(features, n: int):
    """``features=`` as ``(names, values)``: a dict ``{name: values per state}``,
    or a 2-D array (S × K, names ``"0"``, ``"1"``, ...), or ``(names, array)``."""
    if features is None:
        return None
    if isinstance(features, dict):
        names = [str(k) for k in features]
        values = np.column_stack([_float_array(v, f"features[{k!r}]", 1) for k, v in features.items()]) if names else np.zeros((n, 0))
    elif isinstance(features, tuple) and len(features) == 2 and all(isinstance(x, str) for x in features[0]):
        names = [str(k) for k in features[0]]
        values = _float_array(features[1], "features values", 2)
    else:
        values = _float_array(features, "features", 2)
        names = [str(k) for k in range(values.shape[1])]
    values = np.ascontiguousarray(values, dtype=np.float64)
    if values.ndim != 2 or values.shape != (n, len(names)):
        raise ValueError(f"features: values of shape {values.shape} for {n} states and {len(names)} feature names")
    return names, values


def _names(given, n: int, what: str) -> list:
    names = [str(x) for x in (given if given is not None else range(n))]
    if len(names) != n:
        raise ValueError(f"{len(names)} {what} names for {n} {what}s")
    return names


def mdp_from_numpy(
    transitions,
    state_names: Optional[Sequence[str]] = None,
    action_names: Optional[Sequence[str]] = None,
    features=None,
) -> Mdp:
    """An MDP from ``transitions[s, a, s']`` of shape (S, A, S).

    A row that is all zero means action ``a`` does not exist at ``s`` (it is
    never a phantom zero-reward move); every other row must sum to 1.
    ``features`` gives every state a feature vector φ(s), for reward
    distributions ``dist="features:<marginal>"`` (R(s) = w·φ(s) with iid
    weights): a dict ``{name: values per state}``, an S × K array (names
    ``"0"``, ``"1"``, ...), or ``(names, array)``.
    """
    t = _float_array(transitions, "transitions", 3)
    n, k, m = t.shape
    if n != m or n == 0 or k == 0:
        raise ValueError(f"transitions must have shape (S, A, S) with S, A > 0 (got {t.shape})")
    states = [str(s) for s in (state_names if state_names is not None else range(n))]
    actions = [str(a) for a in (action_names if action_names is not None else range(k))]
    if len(states) != n or len(actions) != k:
        raise ValueError(f"{len(states)} state names and {len(actions)} action names for shape {t.shape}")
    return Mdp._from_numpy(t, states, actions, _features_arg(features, n))


def _index_array(x, name: str) -> np.ndarray:
    """Non-negative integer indices as uint64."""
    arr = np.asarray(x)
    if arr.ndim != 1 or not (np.issubdtype(arr.dtype, np.integer) or arr.size == 0):
        raise ValueError(f"{name} must be a 1-D array of integer indices (got dtype {arr.dtype}, shape {arr.shape})")
    if arr.size and int(arr.min()) < 0:
        raise ValueError(f"{name}: index {int(arr.min())} is negative")
    return np.ascontiguousarray(arr, dtype=np.uint64)


def mdp_from_sparse(
    transitions=None,
    *,
    state=None,
    action=None,
    next_state=None,
    prob=None,
    n_states: Optional[int] = None,
    state_names: Optional[Sequence[str]] = None,
    action_names: Optional[Sequence[str]] = None,
    features=None,
) -> Mdp:
    """An MDP from sparse transitions, without a dense S × A × S table.

    Either ``transitions``, one S × S matrix per action (``scipy.sparse``
    matrices or arrays, or anything ``scipy.sparse.coo_array`` accepts), with
    ``transitions[a][s, s']`` the probability of reaching ``s'`` by ``a`` from
    ``s``; or four index arrays of equal length, ``state``, ``action``,
    ``next_state`` and ``prob``, each entry one transition probability
    (``n_states`` defaults to the largest index + 1, or to the number of
    ``state_names``). Repeated entries are summed. Action ``a`` exists at ``s``
    when some entry of ``(s, a)`` is positive; its probabilities must then sum
    to 1. ``features`` as in :func:`mdp_from_numpy`.

    >>> import numpy as np, powerseek
    >>> m = powerseek.mdp_from_sparse(state=[0, 0, 1], action=[0, 0, 0], next_state=[1, 1, 1], prob=[0.5, 0.5, 1.0])
    >>> m.parts()
    (['0', '1'], [(0, '0', [(1, 1.0)]), (1, '0', [(1, 1.0)])])
    """
    if transitions is not None:
        if any(x is not None for x in (state, action, next_state, prob)):
            raise ValueError("give either transitions (one matrix per action) or the arrays state, action, next_state, prob")
        try:
            import scipy.sparse as sp  # type: ignore[import-untyped, unused-ignore]
        except ImportError as e:
            raise ImportError("mdp_from_sparse(transitions) needs scipy: pip install scipy (or 'powerseek[scipy]'), or pass index arrays") from e
        mats = [sp.coo_array(t) for t in transitions]
        if not mats:
            raise ValueError("transitions: no actions")
        shapes = {m.shape for m in mats}
        if len(shapes) != 1 or mats[0].shape[0] != mats[0].shape[1]:
            raise ValueError(f"transitions: every action's matrix must be S × S of one S (got shapes {sorted(shapes)})")
        n_states = mats[0].shape[0] if n_states is None else n_states
        state = np.concatenate([m.row for m in mats])
        next_state = np.concatenate([m.col for m in mats])
        action = np.concatenate([np.full(m.nnz, a, dtype=np.int64) for a, m in enumerate(mats)])
        prob = np.concatenate([np.asarray(m.data, dtype=np.float64) for m in mats])
        n_actions = len(mats)
    else:
        if any(x is None for x in (state, action, next_state, prob)):
            raise ValueError("give transitions (one matrix per action), or all four of state, action, next_state, prob")
        state, action, next_state = (_index_array(x, k) for x, k in ((state, "state"), (action, "action"), (next_state, "next_state")))
        prob = _float_array(prob, "prob", 1)
        top = max([int(x.max()) + 1 for x in (state, next_state) if x.size] + [0])
        if n_states is None:
            n_states = len(state_names) if state_names is not None else top
        n_actions = len(action_names) if action_names is not None else (int(action.max()) + 1 if action.size else 0)
    n = _count(n_states, "n_states")
    states = _names(state_names, n, "state")
    actions = _names(action_names, n_actions, "action")
    return Mdp._from_sparse(
        states,
        actions,
        _index_array(state, "state"),
        _index_array(action, "action"),
        _index_array(next_state, "next_state"),
        _float_array(prob, "prob", 1),
        _features_arg(features, n),
    )


def _count(value, name: str, below: Optional[int] = None):
    """A non-negative integer argument (ints, numpy ints and integral floats), or None."""
    if value is None:
        return None
    if below is not None and isinstance(value, (int, np.integer)) and int(value) >= below:
        raise ValueError(f"{name} must be below {below} (got {value!r})")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer, float, np.floating)):
        raise ValueError(f"{name} must be a non-negative integer (got {value!r})")
    if isinstance(value, (float, np.floating)) and not float(value).is_integer():
        raise ValueError(f"{name} must be a non-negative integer (got {value!r})")
    if int(value) < 0:
        raise ValueError(f"{name} must be a non-negative integer (got {value!r})")
    return int(value)


def _number(value, name: str):
    """A real-number argument, or None."""
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number (got {value!r})") from None


def _power_args(
    gamma,
    samples,
    dist,
    seed,
    tolerance,
    antithetic,
    batch,
    method=None,
    max_iterations=None,
    target_se=None,
    max_samples=None,
    precision=None,
    kernel=None,
):
    """The POWER options dict (the library's defaults for those not given);
    a bad argument is a ValueError naming it."""
    return _given(
        method=None if method is None else str(method),
        max_iterations=_count(max_iterations, "max_iterations"),
        target_se=_number(target_se, "target_se"),
        max_samples=_count(max_samples, "max_samples"),
        gamma=_number(gamma, "gamma"),
        samples=_count(samples, "samples"),
        dist=None if dist is None else str(dist),
        seed=_count(seed, "seed", below=2**64),
        tolerance=_number(tolerance, "tolerance"),
        antithetic=None if antithetic is None else bool(antithetic),
        batch=_count(batch, "batch"),
        precision=None if precision is None else str(precision),
        kernel=None if kernel is None else str(kernel),
    )


def power(
    mdp: Mdp,
    gamma: Optional[float] = None,
    samples: Optional[int] = None,
    dist: Optional[str] = None,
    seed: Optional[int] = None,
    tolerance: Optional[float] = None,
    antithetic: Optional[bool] = None,
    batch: Optional[int] = None,
    method: Optional[str] = None,
    max_iterations: Optional[int] = None,
    target_se: Optional[float] = None,
    max_samples: Optional[int] = None,
    precision: Optional[str] = None,
    kernel: Optional[str] = None,
    exact: bool = False,
    progress=None,
    threads: Optional[int] = None,
) -> dict:
    """POWER of every state (docs/theory.md §2) by Monte Carlo over reward
    functions, as ``powerseek power`` (``gamma`` defaults to the file's discount, else 0.9;
    0 and 1 are the limits). Options left out take the library's defaults,
    as on the command line (10 000 samples, ``uniform`` rewards, seed 0,
    tolerance 1e-6). ``method`` ``vi`` (default) or ``pi``,
    ``max_iterations``, and ``target_se`` (sample until every state's
    standard error is at most this, up to ``max_samples``) are the CLI's options;
    so are ``precision`` (``"f64"``, default, or ``"f32"``: sweeps in f32,
    each block certified in f64 against ``tolerance`` and finished in f64
    when the certificate fails) and ``kernel`` (``"auto"``, ``"portable"``,
    ``"avx2"``, ``"avx512"``, ``"neon"``; all give the same bits).

    Returns the fields of the CLI's ``--format json`` (``gamma``,
    ``distribution``, ``samples``, ``states`` with per-action results, ...)
    and numpy arrays of the same numbers: ``power``, ``se`` (standard
    errors), ``ci95`` (S × 2), ``optimal`` / ``optimal_share`` /
    ``successor_power`` (S × max actions, NaN where a state has fewer
    actions, in the order of ``mdp.actions``) and ``tie_probability``.
    Results depend only on ``seed`` (not on threads); values are within
    ``tolerance``.

    With ``exact=True``, POWER and optimality probabilities are computed
    exactly from the visit distributions, as ``powerseek power --exact``
    (docs/theory.md §2.7): small MDPs, iid ``uniform`` or finite-support
    rewards, ``gamma`` read exactly (a Fraction, a string such as ``"9/10"``,
    or a float's shortest decimal). The result has the CLI's JSON fields
    (``gamma``, ``states`` with ``power`` and per-action ``optimal``,
    ``optimal_share``, ``successor_power``) as Fractions; sampling options
    are an error.
    """
    if exact:
        fields = _given(
            gamma=_exact_text(gamma, "gamma"),
            dist=None if dist is None else str(dist),
            samples=samples,
            seed=seed,
            tolerance=tolerance,
            antithetic=antithetic,
            batch=batch,
            method=method,
            max_iterations=max_iterations,
            target_se=target_se,
            max_samples=max_samples,
            precision=precision,
            kernel=kernel,
        )
        return _native.exact_power(mdp, fields)
    args = _power_args(
        gamma, samples, dist, seed, tolerance, antithetic, batch, method, max_iterations, target_se, max_samples, precision, kernel
    )
    return _call(_native.power, mdp, args, progress=progress, threads=threads)


def _exact_text(x, name: str) -> Optional[str]:
    """An exact number's text: Fractions and ints exactly, floats by their shortest decimal, strings as given."""
    if x is None:
        return None
    if isinstance(x, (bool, np.bool_)):
        raise ValueError(f"{name} must be a number (got {x!r})")
    if isinstance(x, (str, Fraction, int, np.integer)):
        return str(x)
    if isinstance(x, (float, np.floating)):
        return repr(float(x))
    raise ValueError(f"{name} must be a number, a Fraction or a string such as '9/10' (got {x!r})")


def visit_distributions(
    mdp: Mdp,
    state: Optional[str] = None,
    gamma=None,
    dist: Optional[str] = None,
    probabilities: Optional[bool] = None,
    sets: Optional[Sequence[Sequence[int]]] = None,
) -> dict:
    """The visit distributions F(s) of ``state`` (default: the start state),
    as ``powerseek visits`` (docs/theory.md §2.7): each with its first
    actions, exact ``visits`` (Fractions, one per state), whether it is
    non-dominated, its optimality probability and (deterministic MDPs) its
    recurrent distribution; the distinct ``recurrent`` distributions; per
    first action ``optimal``, ``optimal_share`` and ``successor_power``;
    ``orderings`` of every pair of first actions; ``power``; and the
    optimality probability of each of ``sets`` (lists of distribution
    indices). ``probabilities=False`` skips everything under a reward
    distribution. ``gamma`` is read exactly (Fraction, ``"9/10"``, or a
    float's shortest decimal)."""
    fields = _given(
        state=state,
        gamma=_exact_text(gamma, "gamma"),
        dist=None if dist is None else str(dist),
        probabilities=None if probabilities is None else bool(probabilities),
        sets=None if sets is None else [[_count(i, "sets") for i in s] for s in sets],
    )
    return _native.visit_distributions(mdp, fields)


def power_sweep(
    mdp: Mdp,
    gammas,
    states: Optional[Sequence[str]] = None,
    samples: Optional[int] = None,
    dist: Optional[str] = None,
    seed: Optional[int] = None,
    tolerance: Optional[float] = None,
    antithetic: Optional[bool] = None,
    batch: Optional[int] = None,
    method: Optional[str] = None,
    max_iterations: Optional[int] = None,
    target_se: Optional[float] = None,
    max_samples: Optional[int] = None,
) -> dict:
    """POWER and optimal-action probabilities of chosen states against the
    discount rate, as ``powerseek power --gamma LIST``: ``gammas`` is an
    increasing list of rates in [0, 1] (0 and 1 are the limits) or the CLI's
    text (``"0.1,0.5,0.9"``, ``"lo:hi:K"``); ``states`` names the states
    (default: the start state and its successors). Every γ is a full
    ``power`` estimate with the same options and seed (the same reward
    functions at every γ). Returns the CLI's JSON fields: ``states``,
    ``distribution``, ``seed``, ``points`` (per γ: ``gamma``, ``horizon``,
    ``samples``, and per state ``power`` and each action's ``optimal_share``
    with its 95% Wilson interval ``ci95``).
    """
    if isinstance(gammas, str):
        rates = _native.parse_gammas(gammas)
    else:
        rates = [_number(g, "gammas") for g in gammas]
    args = _power_args(None, samples, dist, seed, tolerance, antithetic, batch, method, max_iterations, target_se, max_samples)
    return _native.power_sweep(mdp, args, rates, None if states is None else [str(s) for s in states])


def load_game(path: str) -> Game:
    """Load a normal-form game from Gambit .nfg or JSON (a path; games already
    in memory come in through :func:`from_pygambit`, :func:`from_openspiel` or
    :func:`game_from_numpy`)."""
    return Game.load(_path(path, "load_game"))


def game_from_numpy(payoff_array) -> Game:
    """A game from payoffs of shape (n_players, a_1, ..., a_n): ``payoff_array[i, a_1, ..., a_n]``
    is player i's payoff. Floats are read as their shortest decimal (0.1 means exactly 1/10);
    integer arrays and object arrays of ints and Fractions are read exactly (no rounding
    beyond 2^53)."""
    raw = np.asarray(payoff_array)
    exact = raw.dtype == object or np.issubdtype(raw.dtype, np.integer)
    p = raw if exact else _float_array(raw, "payoffs")
    if p.ndim < 2 or p.shape[0] != p.ndim - 1:
        raise ValueError(f"payoffs must have shape (n_players, a_1, ..., a_n) (got {p.shape})")
    n = p.shape[0]
    # Profile-major with player 0's action fastest (Gambit's order), player index fastest within a profile.
    flat = np.stack([p[i].ravel(order="F") for i in range(n)], axis=1).ravel()
    if exact:
        return Game._from_flat_exact(list(p.shape[1:]), [_payoff_text(x, k) for k, x in enumerate(flat)])
    return Game._from_flat(list(p.shape[1:]), flat.tolist())


def _payoff_text(x, k: int) -> str:
    """An exact payoff's text: integers and Fractions exactly, floats by their shortest decimal."""
    if isinstance(x, (bool, np.bool_)):
        raise ValueError(f"payoff {k}: {x!r} is a boolean, not a number")
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, Fraction):
        return f"{x.numerator}/{x.denominator}"
    if isinstance(x, (float, np.floating)):
        if not np.isfinite(x):
            raise ValueError(f"payoff {k}: {x} is not a finite number")
        return repr(float(x))
    raise ValueError(f"payoff {k}: {x!r} is not a number (expected ints, floats or Fractions)")


def payoffs(game: Game) -> np.ndarray:
    """The payoff array (n_players, a_1, ..., a_n) as floats."""
    shape = game.shape
    n = len(shape)
    flat = np.asarray(game._flat_payoffs()).reshape(-1, n)
    return np.stack([flat[:, i].reshape(shape, order="F") for i in range(n)])


def solve(game: Union[Game, BayesianGame], method: Optional[str] = None, all: bool = False, progress=None, threads: Optional[int] = None) -> dict:
    """Nash equilibria, as ``powerseek game solve`` (the same fields as its
    ``--format json``, exact values as Fractions): ``method`` (``enum``,
    ``support``, ``lh``, ``lp``, ``pure``, ``logit``, ``pure-logit``,
    ``poly``, ``type-support``, ``simpdiv``; default by the game's size), ``all`` for
    every equilibrium the method finds. Every
    profile is re-checked by its exact regret. A Bayesian game's equilibria
    are behaviours ``behaviour[player][type][action]``. ``choice`` says why
    the default method (for a Bayesian game also the normal form it is
    solved on) was chosen, with the numbers that decided it; None when
    ``method`` is given."""
    if isinstance(game, BayesianGame):
        return _call(_native.solve_bayesian, game, method, bool(all), progress=progress, threads=threads)
    return _call(_native.solve, game, method, bool(all), progress=progress, threads=threads)


def equilibria(game: Game, exact: bool = False, method: Optional[str] = None, all: bool = True, progress=None, threads: Optional[int] = None) -> list:
    """The profiles of :func:`solve` (by default ``all=True``: all extreme
    equilibria for two players, exact; every pure equilibrium plus a
    logit-path one otherwise). Each is a list of per-player probability
    arrays (or lists of Fractions with ``exact=True``)."""
    out = [e["strategies"] for e in solve(game, method, all, progress=progress, threads=threads)["equilibria"]]
    if exact:
        return out
    return [[np.array([float(x) for x in s]) for s in p] for p in out]


def iter_equilibria(game: Game, method: Optional[str] = None, all: bool = True):
    """Equilibria as they are found, as ``powerseek game solve --format
    jsonl`` streams them: an iterator of dicts (``strategies``, ``payoffs``,
    ``max_regret``; exact values as Fractions). Vertex enumeration (the
    default for two players) yields each during its search, so the first
    arrive long before the last; ``.summary`` (method, note, count,
    components as indices into the stream, complete) is set once the
    iterator is exhausted. Ctrl-C stops the search (KeyboardInterrupt), as
    does dropping the iterator."""
    if isinstance(game, BayesianGame):
        raise TypeError("iter_equilibria streams normal-form games; use solve() for a BayesianGame")
    return _native.iter_equilibria(game, method, bool(all))


def _exact(x, what: str = "probability") -> Fraction:
    """``x`` exactly: Fractions, ints and strings (``"1/3"``) as given, floats by their shortest decimal."""
    if isinstance(x, (bool, np.bool_)):
        raise ValueError(f"{what} {x!r} is a boolean, not a number")
    if isinstance(x, (Fraction, int, np.integer)):
        return Fraction(int(x)) if isinstance(x, np.integer) else Fraction(x)
    try:
        if isinstance(x, str):
            return Fraction(x)
        value = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{what} {x!r} is not a number") from None
    if not np.isfinite(value):
        raise ValueError(f"{what} {value} is not a finite number")
    return Fraction(repr(value))


def _profile_rows(rows) -> list:
    """Exact strategies (Fractions): Fractions, ints and strings as given;
    floats as their shortest decimal, renormalised exactly when they sum to 1
    within 1e-9 (so 1/3 typed as 0.333... works)."""
    out = []
    for strategy in rows:
        exact = [_exact(x) for x in np.asarray(strategy, dtype=object).ravel()]
        total = sum(exact, Fraction(0))
        if total != 1 and abs(total - 1) < Fraction(1, 10**9) and any(not isinstance(x, (Fraction, int, str)) for x in strategy):
            exact = [x / total for x in exact]
        out.append(exact)
    return out


def _profile_arg(profile, nested: bool):
    if profile is None or (isinstance(profile, str) and profile == "uniform"):
        return profile
    if nested:
        return [_profile_rows(player) for player in profile]
    return _profile_rows(profile)


def game_power(game: Game, profile=None, progress=None, threads: Optional[int] = None) -> dict:
    """Multi-agent POWER (docs/theory.md §3), as ``powerseek game power``:
    at ``profile`` (``profile[player][action]``, or ``"uniform"``), or, by
    default, at every equilibrium and the uniform profile. Exact (Fractions).
    Each entry of ``profiles`` has ``label``, ``behaviour`` (one type per
    player), ``players`` (``power``, ``expected_payoff``, ``by_type``),
    ``total_power``, ``total_regret`` and ``is_equilibrium``."""
    return _call(_native.game_power, game, _profile_arg(profile, nested=False), progress=progress, threads=threads)


def load_bayesian(path: str) -> BayesianGame:
    """Load a Bayesian game: one-stage .efg, Bayesian JSON, or a normal-form .nfg/.json (one type each)."""
    return BayesianGame.load(_path(path, "load_bayesian"))


def bayesian_equilibria(game: BayesianGame, exact: bool = False, method: Optional[str] = None, all: bool = True, progress=None, threads: Optional[int] = None) -> list:
    """The behaviours of :func:`solve` (by default ``all=True``):
    ``b[player][type]`` is a probability vector over the player's actions
    (Fractions with ``exact=True``, else numpy arrays)."""
    out = [e["behaviour"] for e in solve(game, method, all, progress=progress, threads=threads)["equilibria"]]
    if exact:
        return out
    return [[[np.array([float(x) for x in t]) for t in player] for player in b] for b in out]


def bayesian_power(game: BayesianGame, behaviour=None, progress=None, threads: Optional[int] = None) -> dict:
    """:func:`game_power` for a Bayesian game: at ``behaviour[player][type]``
    (or ``"uniform"``), or at every equilibrium and the uniform profile;
    ``by_type`` is None for types of probability 0."""
    return _call(_native.game_power, game, _profile_arg(behaviour, nested=True), progress=progress, threads=threads)


def alignment(game: Game, weights: Optional[Sequence[float]] = None, progress=None, threads: Optional[int] = None) -> dict:
    """Every alignment metric (docs/theory.md §4), as ``powerseek game align``:
    α and the alignment gap, max and ideal welfare, security levels, the
    threat point, Nash bargaining, and the local metrics at each localizer
    (exact values as Fractions; pure profiles as action indices)."""
    w = None if weights is None else [_exact(x, f"weights[{k}]") for k, x in enumerate(weights)]
    return _call(_native.alignment, game, w, progress=progress, threads=threads)


DecisionMaker = Union[str, Callable[[np.ndarray], Sequence[float]]]


def _indices(xs, name: str) -> list:
    """Outcome indices (from 0), each a non-negative integer."""
    return [_count(i, f"{name}[{k}]") for k, i in enumerate(xs)]


def _orbit_fields(u, a, b, outcomes) -> dict:
    return _given(
        u=_float_array(u, "u", 1).tolist(),
        a=_indices(a, "a"),
        b=_indices(b, "b"),
        outcomes=None if outcomes is None else _float_array(outcomes, "outcomes", 2).tolist(),
    )


def _split_decision(decision):
    """A decision-maker argument as (names, callable)."""
    if decision is None or isinstance(decision, str):
        return decision, None
    if callable(decision):
        return None, decision
    raise ValueError("decision_maker must be a name or a callable")


def retarget_orbit(
    u,
    a: Sequence[int],
    b: Sequence[int],
    decision: Optional[DecisionMaker] = None,
    outcomes=None,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    parameters: Optional[int] = None,
    n: Optional[int] = None,
    generators: Optional[Sequence[Sequence[int]]] = None,
    theta=None,
    progress=None,
    threads: Optional[int] = None,
) -> dict:
    """Orbit tendencies (docs/theory.md §6) of outcome set B versus A, as ``powerseek retarget orbit``
    (the same fields as its ``--format json``; ``a`` and ``b`` index outcomes from 0).

    ``decision``: comma-separated names (default one of each kind) or a Python
    function of the outcomes' utilities. ``samples`` random permutations
    instead of the whole orbit (needed beyond 20 entries of ``u``);
    ``parameters`` random parameters whose worst orbit is reported; ``n`` of
    B ≥_most^n A (default: the disjoint copies of A in B). ``generators``
    (permutations as the images of 0..d-1) give the group instead of all
    permutations; ``theta`` (a list of parameters containing ``u``)
    restricts orbits to it (docs/theory.md §6.7).
    """
    names, fn = _split_decision(decision)
    fields = _orbit_fields(u, a, b, outcomes) | _given(
        decision=names, samples=samples, seed=seed, parameters=parameters, n=n
    ) | _group_fields(generators, theta)
    return _call(_native.orbit, fields, fn, progress=progress, threads=threads)


def _group_fields(generators, theta) -> dict:
    """The group (generators as images of 0..d-1) and the parameter set Θ, when given."""
    return _given(
        generators=None if generators is None else [[_count(x, "generators") for x in g] for g in generators],
        theta=None if theta is None else [_float_array(t, "theta", 1).tolist() for t in theta],
    )


def orbit_tendency(
    decision_maker: DecisionMaker,
    u,
    a: Sequence[int],
    b: Sequence[int],
    outcomes=None,
    samples: Optional[int] = None,
    seed: int = 0,
    chunks: Optional[tuple] = None,
    progress=None,
    threads: Optional[int] = None,
) -> dict:
    """How often, over the orbit of parameter ``u`` under all permutations,
    outcome set B is more likely than A (docs/theory.md §6), for one
    decision-maker: the counts of :func:`retarget_orbit`'s row.

    ``decision_maker`` is a name (``argmax``, ``boltzmann:2``, ``best-of:3``,
    ...) or a Python function mapping the outcomes' utilities to choice
    probabilities. ``outcomes`` defaults to the unit vectors. With
    ``samples``, that many random permutations instead of the whole orbit
    (drawn in chunks of ``_native.TENDENCY_CHUNK``, each from its own stream;
    ``chunks=(first, end)`` computes only those, for a distributed shard).
    """
    names, fn = _split_decision(decision_maker)
    if names is not None and "," in names:
        raise ValueError("orbit_tendency takes one decision-maker; retarget_orbit takes several")
    fields = _orbit_fields(u, a, b, outcomes) | _given(
        decision=names, samples=samples, seed=seed, chunks=None if chunks is None else tuple(map(int, chunks))
    )
    row = _call(_native.orbit, fields, fn, progress=progress, threads=threads)["results"][0]
    return {key: row[key] for key in ("b_more", "equal", "a_more", "total")}


def retarget_check(
    u,
    a: Sequence[int],
    b: Sequence[int],
    decision: Optional[DecisionMaker] = None,
    n: Optional[int] = None,
    parameters: Optional[int] = None,
    seed: Optional[int] = None,
    outcomes=None,
    generators: Optional[Sequence[Sequence[int]]] = None,
    theta=None,
    scalar: Optional[bool] = None,
    distinct: Optional[bool] = None,
    progress=None,
    threads: Optional[int] = None,
) -> dict:
    """(A→B) n-retargetability of one decision-maker (default argmax), as
    ``powerseek retarget check`` (docs/theory.md §6.4, §6.7): ``orbits`` has
    the definition checked exhaustively on each orbit tested whole (counts,
    ``retargetable``, ``retargetable_without_distinctness``, ``witnesses``,
    ``counterexample``); ``result`` is the search for the same permutations
    for every tested parameter: ``witness`` (``permutations``),
    ``counterexample`` (``parameter``, ``permutation``), ``leaves_theta``,
    ``not_distinct`` (two ``permutations`` and ``parameters``) or
    ``no_candidates``. ``generators`` / ``theta`` as in :func:`retarget_orbit`;
    ``scalar=True`` checks scalar-retargetability; ``distinct=False`` drops
    the distinctness clause."""
    names, fn = _split_decision(decision)
    fields = (
        _orbit_fields(u, a, b, outcomes)
        | _given(decision=names, n=n, parameters=parameters, seed=seed, scalar=scalar, distinct=distinct)
        | _group_fields(generators, theta)
    )
    return _call(_native.check, fields, fn, progress=progress, threads=threads)


def retarget_mean(
    u,
    a: Sequence[int],
    b: Sequence[int],
    decision: Optional[DecisionMaker] = None,
    aggregator: Optional[str] = None,
    generators: Optional[Sequence[Sequence[int]]] = None,
    theta=None,
    parameters: Optional[int] = None,
    seed: Optional[int] = None,
    outcomes=None,
) -> dict:
    """Orbit-mean dominance of B over A (docs/theory.md §6.5, §6.7), as
    ``powerseek retarget mean``: per decision-maker the worst orbit's
    aggregates of p(A) and p(B) (``aggregator`` ``mean`` (default), ``min``,
    ``max`` or ``median``) and whether B ⪰ A on every orbit."""
    names, fn = _split_decision(decision)
    fields = (
        _orbit_fields(u, a, b, outcomes)
        | _given(decision=names, aggregator=aggregator, parameters=parameters, seed=seed)
        | _group_fields(generators, theta)
    )
    return _native.mean_dominance(fields, fn)


def retarget_cycle(
    u,
    sets: Sequence[Sequence[int]],
    decision: Optional[DecisionMaker] = None,
    generators: Optional[Sequence[Sequence[int]]] = None,
    theta=None,
    parameters: Optional[int] = None,
    seed: Optional[int] = None,
    outcomes=None,
) -> dict:
    """Search outcome sets (indices from 0) for a cycle of >_most (docs/theory.md §6.5),
    as ``powerseek retarget cycle``: ``beats`` (pairs ``[x, y]`` with set x >_most set y on
    every orbit) and ``cycle`` (set indices, or None)."""
    names, fn = _split_decision(decision)
    fields = _orbit_fields(u, [], [], outcomes)
    fields.pop("a", None)
    fields.pop("b", None)
    fields |= _given(
        sets=[[_count(i, "sets") for i in s] for s in sets], decision=names, parameters=parameters, seed=seed
    ) | _group_fields(generators, theta)
    return _native.most_cycle(fields, fn)


def retarget_mdp(
    mdp: Mdp,
    a: str,
    b: str,
    state: Optional[str] = None,
    gamma: Optional[float] = None,
    decision: Optional[str] = None,
    parameters: Optional[int] = None,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    u: Optional[Sequence[float]] = None,
    n: Optional[int] = None,
    progress=None,
    threads: Optional[int] = None,
) -> dict:
    """First actions ``a`` and ``b`` at ``state`` (default: the start state) of a
    deterministic MDP, compared over the orbits of reward functions — ``u``
    (one reward per state) if given, and ``parameters`` random ones (default
    5 without ``u``, 0 with it) — as ``powerseek retarget mdp``: per
    decision-maker the worst orbit and whether ``b ≥_most^n a`` (``n``
    default 1; ``gamma`` defaults to the file's discount, else 0.9)."""
    fields = _given(
        a=str(a),
        b=str(b),
        state=state,
        gamma=gamma,
        decision=decision,
        parameters=_count(parameters, "parameters"),
        samples=samples,
        seed=seed,
        u=None if u is None else [float(x) for x in u],
        n=_count(n, "n"),
    )
    return _call(_native.mdp_tendency, mdp, fields, progress=progress, threads=threads)


def retarget_learned(
    mdp: Mdp,
    a: str,
    b: str,
    state: Optional[str] = None,
    agents: Optional[int] = None,
    episodes: Optional[int] = None,
    horizon: Optional[int] = None,
    epsilon: Optional[float] = None,
    alpha: Optional[float] = None,
    gamma: Optional[float] = None,
    seed: Optional[int] = None,
    learner: Optional[str] = None,
    features: Optional[int] = None,
    progress=None,
    threads: Optional[int] = None,
) -> dict:
    """Q-learners trained on rewards drawn from the orbit of a random reward:
    how often their first move at ``state`` is ``b`` rather than ``a``, as
    ``powerseek retarget learned`` (``result`` has the counts and a 95% CI).
    ``learner`` is ``'tabular'`` (default) or ``'linear'`` (docs/theory.md
    §7.1, with ``features`` successor features; default one per state)."""
    fields = _given(
        a=str(a),
        b=str(b),
        state=state,
        learner=learner,
        features=features,
        agents=agents,
        episodes=episodes,
        horizon=horizon,
        epsilon=epsilon,
        alpha=alpha,
        gamma=gamma,
        seed=seed,
    )
    return _call(_native.learned, mdp, fields, progress=progress, threads=threads)


def _trainer_arg(trainer):
    """A Python trainer as ``f(reward, seed)``; a one-argument ``f(reward)`` is wrapped."""
    if not callable(trainer):
        raise TypeError(
            f"trainer must be 'tabular', 'linear' or a callable f(reward, seed) (got {type(trainer).__name__})"
        )
    try:
        params = _inspect.signature(trainer).parameters.values()
    except (TypeError, ValueError):
        return trainer
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) == 1 and not any(p.kind == p.VAR_POSITIONAL for p in params):
        return lambda reward, seed: trainer(reward)
    return trainer


def _trained_args(trainer, a, b, state, u, parameters, samples, seed, n, training, chunks=None):
    """The native request and trainer of :func:`trained_tendency`."""
    if isinstance(trainer, str):
        settings = dict(training or {})
        settings.setdefault("learner", trainer)
        training, native = settings, None
    else:
        if training is not None:
            raise ValueError("training: settings of the built-in learners ('tabular', 'linear'), not of a Python trainer")
        native = _trainer_arg(trainer)
    fields = _given(
        a=str(a),
        b=str(b),
        state=state,
        u=None if u is None else [float(x) for x in np.asarray(u, dtype=float).ravel()],
        parameters=parameters,
        samples=samples,
        seed=seed,
        n=n,
        training=training,
        chunks=chunks,
    )
    return fields, native


def trained_tendency(
    mdp: Mdp,
    trainer,
    a: str,
    b: str,
    state: Optional[str] = None,
    u=None,
    parameters: Optional[int] = None,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    n: Optional[int] = None,
    training: Optional[dict] = None,
    progress=None,
    threads: Optional[int] = None,
) -> dict:
    """A training procedure as a decision-maker (docs/theory.md §7.2): train on
    every reward of the orbits of ``u`` and/or ``parameters`` random rewards
    (every distinct permutation, or ``samples`` random ones per orbit) and
    count the rewards whose first move at ``state`` is likelier ``b`` than
    ``a``, per orbit (Wilson intervals when sampled).

    ``trainer`` is ``'tabular'`` or ``'linear'`` (the built-in Q-learners,
    with ``training`` settings: ``episodes``, ``horizon``, ``epsilon``,
    ``alpha``, ``gamma``, ``features``), or a Python callable
    ``f(reward, seed)`` (or ``f(reward)``) taking the reward per state (a
    numpy array, the MDP's state order) and returning the first move at
    ``state``: an action name, an index into ``mdp.actions[state]``, or
    probabilities over those actions. Its seed is a function of ``seed``, the
    orbit and the reward, so results do not depend on ``threads``. Python
    trainers run on the worker threads, holding the GIL only while called.

    Example: numpy value iteration on the fork of ``examples/fork.json``
    (written out here) is an exact argmax, so it reproduces
    ``retarget_mdp``'s argmax counts::

        >>> import json, os, tempfile
        >>> import numpy as np, powerseek
        >>> fork_spec = {"states": ["start", "one", "many", "l1", "r1", "r2", "r3"], "start": "start",
        ...     "transitions": {"start": {"left": "one", "right": "many"}, "one": {"go": "l1"},
        ...                     "many": {"a": "r1", "b": "r2", "c": "r3"},
        ...                     **{s: {"stay": s} for s in ("l1", "r1", "r2", "r3")}}}
        >>> path = os.path.join(tempfile.mkdtemp(), "fork.json")
        >>> with open(path, "w") as f:
        ...     _ = f.write(json.dumps(fork_spec))
        >>> fork = powerseek.load_mdp(path)
        >>> def trainer(reward, seed):  # reward per state -> first move at 'start'
        ...     v = np.zeros(len(reward))
        ...     for _ in range(300):
        ...         v = reward + 0.9 * np.array([v[1:3].max(), v[3], v[4:].max(), v[3], v[4], v[5], v[6]])
        ...     return "right" if v[2] > v[1] else "left"
        >>> r = powerseek.trained_tendency(fork, trainer, "left", "right", parameters=2, samples=200)
        >>> m = powerseek.retarget_mdp(fork, "left", "right", decision="argmax", parameters=2, samples=200)
        >>> keys = ("b_more", "equal", "a_more")
        >>> [r["orbits"][r["worst"]][k] for k in keys] == [m["worst_orbit"][0][k] for k in keys]
        True
    """
    fields, native = _trained_args(trainer, a, b, state, u, parameters, samples, seed, n, training)
    return _call(_native.trained_tendency, mdp, fields, native, progress=progress, threads=threads)


def training_compatible(
    mdp: Mdp,
    observed,
    a: str,
    b: str,
    state: Optional[str] = None,
    dist: Optional[str] = None,
    gamma: Optional[float] = None,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    progress=None,
    threads: Optional[int] = None,
) -> dict:
    """Krakovna & Kramár's training-compatible goal set (docs/theory.md §7.3),
    as ``powerseek retarget compatible``: rewards drawn from the prior ``dist``
    and kept when every observed training choice is optimal; the probability
    that the kept rewards' optimal choice at ``state`` is likelier ``b`` (the
    power-seeking one) than ``a``, with the acceptance rate and the prior's
    probability. ``observed`` is a mapping ``{state: action}`` or pairs
    ``(state, action)``."""
    pairs = observed.items() if hasattr(observed, "items") else observed
    training = [{"state": str(s), "action": str(x)} for s, x in pairs]
    fields = _given(training=training, state=state, a=str(a), b=str(b), dist=dist, gamma=gamma, samples=samples, seed=seed)
    return _call(_native.compatible, mdp, fields, progress=progress, threads=threads)


def scarcity(
    players: Optional[int] = None,
    actions: Optional[int] = None,
    types: Optional[int] = None,
    games: Optional[int] = None,
    lambdas: Optional[Sequence[float]] = None,
    seed: Optional[int] = None,
    only: Optional[int] = None,
    progress=None,
    threads: Optional[int] = None,
) -> dict:
    """The power-scarcity sweep over λ, as ``powerseek experiment scarcity``
    (the same fields as its ``--format json``); ``None`` takes the library's
    default (2 players, 3 actions, 1 type, 200 games, λ = −1, −0.8, …, 1, seed 0).

    ``only`` restricts the sweep to the λ at that index (a distributed shard)."""
    given = dict(players=players, actions=actions, types=types, games=games, lambdas=lambdas, seed=seed)
    options = {k: v for k, v in given.items() if v is not None}
    if lambdas is not None:
        options["lambdas"] = [float(x) for x in lambdas]
    return _call(_native.scarcity, options, only, progress=progress, threads=threads)


def _nested(f, x):
    """``f`` applied to every leaf of nested lists (or tuples: fixed-size arrays)."""
    return [_nested(f, v) for v in x] if isinstance(x, (list, tuple)) else f(x)


def _estimate_arrays(d: dict, keys, se_names=None) -> dict:
    """Fields holding (nested lists of) estimates ``{mean, se, ci95}`` as numpy
    arrays of their means, with the standard errors beside them
    (``<key>_se``, or the name ``se_names`` gives)."""
    out = dict(d)
    for key in keys:
        if key in d:
            out[key] = np.asarray(_nested(lambda e: e["mean"], d[key]), dtype=float)
            out[(se_names or {}).get(key, key + "_se")] = np.asarray(_nested(lambda e: e["se"], d[key]), dtype=float)
    return out


_TWO_AGENT_ESTIMATES = ("power", "total", "mean_power", "mean_total")


def _two_agent_arrays(d: dict) -> dict:
    """A two-agent (or focal-agent) report with numpy arrays: ``power`` and
    ``se`` per agent and joint state, ``total``, ``mean_power``, ``mean_total``
    (each with ``_se``), and ``per_cell``."""
    out = _estimate_arrays(d, _TWO_AGENT_ESTIMATES, {"power": "se"})
    if "per_cell" in d:
        out["per_cell"] = np.asarray(d["per_cell"], dtype=float)
    return out


def _multi_fields(
    turns, no_overlap, noise, other, seed_policy, gamma, gamma_other, reward_on, interval, samples, seed, tolerance, other_at, agents=None, focal=None
) -> dict:
    return _given(
        agents=None if agents is None else int(agents),
        turns=turns,
        no_overlap=None if no_overlap is None else bool(no_overlap),
        noise=None if noise is None else float(noise),
        other=other,
        seed_policy=seed_policy,
        gamma=None if gamma is None else float(gamma),
        gamma_other=None if gamma_other is None else float(gamma_other),
        reward_on=reward_on,
        interval=None if interval is None else (float(interval[0]), float(interval[1])),
        samples=None if samples is None else int(samples),
        seed=None if seed is None else int(seed),
        tolerance=None if tolerance is None else float(tolerance),
        other_at=other_at,
        focal=None if focal is None else int(focal),
    )


def rho_sweep(
    grid: Mdp,
    rhos: Sequence[float],
    turns: Optional[str] = None,
    no_overlap: Optional[bool] = None,
    noise: Optional[float] = None,
    other: Optional[str] = None,
    seed_policy: Optional[str] = None,
    gamma: Optional[float] = None,
    gamma_other: Optional[float] = None,
    reward_on: Optional[str] = None,
    interval: Optional[tuple] = None,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    tolerance: Optional[float] = None,
    other_at: Optional[str] = None,
    progress=None,
    threads: Optional[int] = None,
) -> dict:
    """Two agents, H and A, on a gridworld (docs/theory.md §8), as ``powerseek multi sweep`` (the
    same fields as its ``--format json``; options default as there).

    ``turns`` ``alternating`` or ``simultaneous``; ``other`` is how the other
    agent acts: ``random``, ``fixed`` (with ``seed_policy``, JSON text
    ``{"<joint state>": {"<move>": p}}``), ``optimal``, ``boltzmann:β`` or
    ``powerplay`` (POWERplay's protocol); ``reward_on`` ``joint`` or ``cell``;
    ``interval`` the rewards' (lo, hi). ``points`` has one report per ρ, and
    numpy arrays indexed ``[ρ, agent, ...]`` stack them: ``rho``, ``power``
    and ``se`` per joint state, ``per_cell`` means, ``total``,
    ``mean_power``, ``mean_total`` (each with ``_se``), the achieved
    ``reward_correlation`` and ``power_correlation`` over states.
    ``per_cell`` averages over the other agent's positions, or fixes it at
    the cell named ``other_at`` (e.g. ``"(1,1)"``).
    """
    fields = _multi_fields(
        turns, no_overlap, noise, other, seed_policy, gamma, gamma_other, reward_on, interval, samples, seed, tolerance, other_at
    )
    d = _call(_native.multi_sweep, grid, fields, [float(r) for r in rhos], progress=progress, threads=threads)
    points = [_two_agent_arrays(p) for p in d["points"]]
    out = dict(d)
    out["rho"] = np.array([p["rho"] for p in points], dtype=float)
    for key in ("power", "se", "per_cell", "total", "total_se", "mean_power", "mean_power_se", "mean_total", "mean_total_se"):
        out[key] = np.stack([p[key] for p in points])
    for key in ("reward_correlation", "power_correlation"):
        out[key] = np.array([p[key] for p in points], dtype=float)
    return out


def sequential_power(
    grid: Mdp,
    rho: Optional[float] = None,
    agents: Optional[int] = None,
    focal: Optional[int] = None,
    turns: Optional[str] = None,
    no_overlap: Optional[bool] = None,
    noise: Optional[float] = None,
    other: Optional[str] = None,
    seed_policy: Optional[str] = None,
    gamma: Optional[float] = None,
    gamma_other: Optional[float] = None,
    reward_on: Optional[str] = None,
    interval: Optional[tuple] = None,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    tolerance: Optional[float] = None,
    other_at: Optional[str] = None,
    progress=None,
    threads: Optional[int] = None,
) -> dict:
    """Both agents' POWER at one correlation ρ (default 0), as ``powerseek
    multi power`` (options as :func:`rho_sweep`): the same fields as its
    ``--format json``, with numpy arrays ``power`` and ``se`` (agent × joint
    state), ``per_cell`` (agent × cell), ``total``, ``mean_power`` and
    ``mean_total`` (each with ``_se``). With ``agents`` > 2: the ``focal``
    agent's POWER against uniformly random others (``power`` per joint state);
    options that need two agents are errors there."""
    fields = _multi_fields(
        turns,
        no_overlap,
        noise,
        other,
        seed_policy,
        gamma,
        gamma_other,
        reward_on,
        interval,
        samples,
        seed,
        tolerance,
        other_at,
        agents,
        focal,
    )
    rho = None if rho is None else float(rho)
    return _two_agent_arrays(_call(_native.multi_power, grid, fields, rho, progress=progress, threads=threads))


def conflict_simulate(scenario: str) -> dict:
    """Play out a conflict scenario (docs/theory.md §9), as ``powerseek
    conflict simulate``: the same fields as its ``--format json``
    (``initial`` assessments, ``events``, ``final_powers``, ...). ``scenario``
    is the TOML (or JSON) text of a scenario file."""
    return _native.conflict_simulate(scenario)


def _grid_arrays(d: dict, keys) -> dict:
    """Row-major (cost × alignment) grids of a report as 2-D numpy arrays."""
    out = dict(d)
    for key in keys:
        out[key] = np.asarray(d[key], dtype=float).reshape(len(d["costs"]), len(d["alignments"]))
    return out


def _model_fields(contest_exponent, loser_share, temperature) -> dict:
    return _given(
        contest_exponent=None if contest_exponent is None else float(contest_exponent),
        loser_share=None if loser_share is None else float(loser_share),
        temperature=None if temperature is None else float(temperature),
    )


def conflict_phase(
    ratio: Optional[float] = None,
    *,
    contest_exponent: Optional[float] = None,
    loser_share: Optional[float] = None,
    temperature: Optional[float] = None,
    n_alignment: Optional[int] = None,
    n_cost: Optional[int] = None,
) -> dict:
    """Escalation probability of the weaker agent (power ``ratio`` against 1)
    over alignment × cost, as ``powerseek conflict phase`` (defaults as
    there: ratio 1/3, 101 points per axis, temperature 0); ``probability``
    and ``gain`` are (n_cost, n_alignment) arrays."""
    fields = _model_fields(contest_exponent, loser_share, temperature) | _given(
        ratio=None if ratio is None else float(ratio),
        n_alignment=None if n_alignment is None else int(n_alignment),
        n_cost=None if n_cost is None else int(n_cost),
    )
    return _grid_arrays(_native.conflict_phase(fields), ("probability", "gain"))


def conflict_infer(
    observations: Optional[str] = None,
    *,
    truth: Optional[tuple] = None,
    episodes: Optional[int] = None,
    seed: Optional[int] = None,
    contest_exponent: Optional[float] = None,
    loser_share: Optional[float] = None,
    temperature: Optional[float] = None,
    grid: Optional[int] = None,
    progress=None,
    threads: Optional[int] = None,
) -> dict:
    """Posterior over an agent's alignment and perceived cost of conflict from
    its decisions, as ``powerseek conflict infer``: ``observations`` is the
    TOML (or JSON) text of an observations file, or ``truth=(alignment,
    cost)`` simulates ``episodes`` decisions (model options as there).
    ``density`` is a (cost × alignment) array."""
    fields = _model_fields(contest_exponent, loser_share, temperature) | _given(
        truth=None if truth is None else (float(truth[0]), float(truth[1])),
        episodes=None if episodes is None else int(episodes),
        seed=None if seed is None else int(seed),
        grid=None if grid is None else int(grid),
    )
    report = _call(_native.conflict_infer, fields, observations, progress=progress, threads=threads)
    return _grid_arrays(report, ("density",))


def conflict_calibrate(
    *,
    grid: Optional[int] = None,
    episodes: Optional[int] = None,
    replicates: Optional[int] = None,
    seed: Optional[int] = None,
    contest_exponent: Optional[float] = None,
    loser_share: Optional[float] = None,
    temperature: Optional[float] = None,
    progress=None,
    threads: Optional[int] = None,
) -> dict:
    """Simulation-based calibration of :func:`conflict_infer`, as ``powerseek
    conflict calibrate``: coverage of 90% credible intervals."""
    fields = _model_fields(contest_exponent, loser_share, temperature) | _given(
        grid=None if grid is None else int(grid),
        episodes=None if episodes is None else int(episodes),
        replicates=None if replicates is None else int(replicates),
        seed=None if seed is None else int(seed),
    )
    return _call(_native.conflict_calibrate, fields, progress=progress, threads=threads)


def random_stochastic_game(
    players: int = 2,
    states: int = 5,
    actions: int = 2,
    successors: int = 2,
    play: str = "simultaneous",
    seed: int = 0,
) -> StochasticGame:
    """A seeded random stochastic game, as ``powerseek stochastic random``:
    every joint action moves to ``successors`` distinct states drawn
    uniformly, with exact random probabilities; ``play="turn-based"`` makes
    player ``s mod players`` the mover of state ``s``. ``game.to_json()``
    writes it in the JSON format."""
    spec = {
        "players": _count(players, "players"),
        "states": _count(states, "states"),
        "actions": _count(actions, "actions"),
        "successors": _count(successors, "successors"),
        "play": play,
        "seed": _count(seed, "seed"),
    }
    return _native.stochastic_game_random(spec)


def load_stochastic_game(path: str) -> StochasticGame:
    """A stochastic game from its JSON file (docs/theory.md §11.1)."""
    with open(path, encoding="utf-8") as f:
        return _native.stochastic_game_json(f.read(), str(path))


def stochastic_game(
    actions,
    transitions,
    players: Optional[Sequence[str]] = None,
    states: Optional[Sequence[str]] = None,
    movers: Optional[Sequence[int]] = None,
) -> StochasticGame:
    """A stochastic game from numpy: ``actions[s][i]`` is player i's list of
    action names at state s (or a count, giving names ``"0"``, ``"1"``, …);
    ``transitions[s]`` is an array of shape (joint actions at s, states) whose
    row for a joint action (player 0's action fastest) is the distribution of
    the next state (rows sum to 1 within 1e-9). ``movers[s]`` makes the game
    turn-based (only the mover has more than one action)."""
    n_states = len(actions)
    acts = [
        [[str(a) for a in range(x)] if isinstance(x, (int, np.integer)) else [str(a) for a in x] for x in per_state]
        for per_state in actions
    ]
    n_players = len(acts[0]) if acts else 0
    rows = []
    for s, t in enumerate(transitions):
        arr = _float_array(t, f"transitions[{s}]", ndim=2)
        rows.append(arr.tolist())
    return _native.stochastic_game_dense(
        [str(p) for p in players] if players is not None else [f"player {i}" for i in range(n_players)],
        [str(x) for x in states] if states is not None else [str(s) for s in range(n_states)],
        acts,
        rows,
        None if movers is None else [_count(m, "movers") for m in movers],
    )


def stochastic_game_from_grid(
    grid: Mdp, agents: int = 2, turns: str = "simultaneous", no_overlap: bool = False, noise: float = 0.0
) -> StochasticGame:
    """The stochastic game of ``agents`` agents sharing a gridworld: joint
    states, every tuple of moves (simultaneous) or turn-based with the turn in
    the state (``turns="alternating"``)."""
    return _native.stochastic_game_grid(grid, _count(agents, "agents"), str(turns), bool(no_overlap), float(noise))


def stochastic_power(game: StochasticGame, **options) -> dict:
    """Every player's POWER, value, ΣPOWER and total regret at every state at
    an equilibrium computed per reward sample, as ``powerseek stochastic
    power`` (same fields as its ``--format json``). Options are the library
    request's fields: ``gamma``, ``steps``, ``rewards`` (``"iid"``,
    ``"correlated:ρ"``, ``"constant-sum[:c]"``, ``"common"``), ``reward_on``
    (``"state"``/``"joint-action"``), ``interval``, ``method``
    (``"equilibrium"``, ``"shapley"``, ``"nash-vi"``, ``"uniform"``),
    ``selection``, ``samples``, ``seed``, ``tolerance``, ``max_iterations``,
    ``target_exploitability``, ``exact_stages``. Adds numpy arrays
    ``power_mean`` and ``power_se`` (player × state)."""
    out = dict(_native.stochastic_power(game, options))
    out["power_mean"] = np.array([[e["mean"] for e in row] for row in out["power"]], dtype=float)
    out["power_se"] = np.array([[e["se"] for e in row] for row in out["power"]], dtype=float)
    return out


def pomdp_power(path, **options) -> dict:
    """POWER at a belief of a small POMDP (a Cassandra ``.pomdp`` file; one
    without observations is fully observed), as ``powerseek pomdp power``
    (same fields as its ``--format json``; docs/theory.md §12). Options are
    the library request's fields: ``horizon`` (finite, exact; default:
    discounted, bracketed), ``gamma``, ``belief`` (one probability per
    state), ``dist``, ``samples``, ``seed``, ``tolerance``,
    ``max_iterations``, ``points``, ``lookahead``, ``max_beliefs``. Reward
    sample ``k`` is the same draw as in :func:`power` with the same seed."""
    if "belief" in options and options["belief"] is not None:
        options["belief"] = [float(x) for x in options["belief"]]
    return _native.pomdp_power(_path(path, "pomdp_power"), options)


def retarget_pomdp(
    path,
    a: str,
    b: str,
    horizon: Optional[int] = None,
    gamma: Optional[float] = None,
    belief: Optional[Sequence[float]] = None,
    decision: Optional[str] = None,
    parameters: Optional[int] = None,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    u: Optional[Sequence[float]] = None,
    n: Optional[int] = None,
    policies: Optional[str] = None,
) -> dict:
    """First actions ``a`` and ``b`` at a belief of a POMDP (default: the
    file's start belief), compared over reward orbits as ``powerseek
    retarget pomdp``: the outcomes are the discounted state occupancies of
    every observation-based policy tree of ``horizon`` steps (default 2), or
    with ``policies="memoryless"`` of every first action followed by a
    deterministic memoryless policy observation → action, discounted over the
    infinite horizon (``horizon`` must then be left out; docs/theory.md
    §12.5); per decision-maker the worst orbit and whether ``b ≥_most^n a``."""
    fields = _given(
        a=str(a),
        b=str(b),
        policies=None if policies is None else str(policies),
        horizon=_count(horizon, "horizon"),
        gamma=gamma,
        belief=None if belief is None else [float(x) for x in belief],
        decision=decision,
        parameters=_count(parameters, "parameters"),
        samples=samples,
        seed=seed,
        u=None if u is None else [float(x) for x in u],
        n=_count(n, "n"),
    )
    return _native.pomdp_tendency(_path(path, "retarget_pomdp"), fields)


def stochastic_sweep(game: StochasticGame, rhos: Sequence[float], **options) -> dict:
    """ΣPOWER against the reward correlation ρ at equilibrium and under the
    POWERplay protocol on the same samples (two players, discounted), as
    ``powerseek stochastic sweep``; options as :func:`stochastic_power`."""
    return _native.stochastic_sweep(game, options, [float(r) for r in rhos])


def _type_profiles(profiles: Sequence, site: str) -> dict:
    """The library's type-profile spec from ``(rewards, prior)`` or
    ``(name, rewards, prior)`` entries, every number as exact text."""
    specs = []
    for k, p in enumerate(profiles):
        if len(p) == 3:
            name, rewards, prior = p
        elif len(p) == 2:
            (rewards, prior), name = p, f"t{k}"
        else:
            raise ValueError(f"profiles[{k}]: expected (rewards, prior) or (name, rewards, prior)")
        rows = [
            [_exact_text(v, f"profiles[{k}] rewards[{i}][{x}]") for x, v in enumerate(np.asarray(row, dtype=object).ravel())]
            for i, row in enumerate(rewards)
        ]
        specs.append({"name": str(name), "prior": _exact_text(prior, f"profiles[{k}] prior"), "rewards": rows})
    return {"site": site, "profiles": specs}


def stochastic_type_power(
    game: StochasticGame, profiles: Sequence, site: str = "state", **options
) -> dict:
    """Every player's POWER averaged exactly over a finite set of type
    profiles with a prior (each profile known to all players, docs/theory.md
    §11.3). ``profiles`` is a sequence of ``(rewards, prior)`` or
    ``(name, rewards, prior)``, ``rewards`` player × site (states, or joint
    actions with ``site="joint-action"``); numbers may be ints, Fractions,
    text such as ``"1/3"``, or floats (read as their shortest decimal,
    exactly). The priors must sum to exactly 1. ``options`` as
    :func:`stochastic_power` (its ``rewards``, ``interval``, ``samples`` and
    ``seed`` do not apply). Adds numpy arrays ``power_mean`` (player × state)."""
    out = dict(_native.stochastic_type_power(game, options, _type_profiles(profiles, site)))
    out["power_mean"] = np.array([[e["mean"] for e in row] for row in out["power"]], dtype=float)
    return out


def stochastic_incomplete_power(
    game: StochasticGame,
    profiles: Sequence,
    site: str = "state",
    steps: Optional[int] = None,
    profile: Optional[str] = None,
    strategies: Optional[Sequence] = None,
    selection: str = "max-welfare",
    gamma: Optional[float] = None,
    tolerance: Optional[float] = None,
) -> dict:
    """Every player's POWER when it knows only its own reward among a finite
    set of type profiles (docs/theory.md §11.6): exactly over ``steps``
    undiscounted steps (default 1), or with ``gamma`` by value iteration on
    the belief MDP, every number within ``tolerance`` (stationary strategies
    whose reachable beliefs are finite, such as pure ones; exact numbers then
    become floats). A player's own type is its reward row, and it best
    responds over every strategy that depends on the history of states and
    joint actions (backward induction over its posterior on the others'
    types). ``profiles`` as :func:`stochastic_type_power`. The others follow
    ``profile``: ``"equilibrium"`` (one step: a Bayesian equilibrium of every
    stage game, picked by ``selection``; the default), ``"uniform"``, or
    given stationary ``strategies[player][own type][state][action]`` (own
    types in the order they first appear among the profiles; exact numbers
    as for the rewards). Returns the report's fields with exact
    :class:`fractions.Fraction` values: ``power``, ``power_by_type``,
    ``complete_power`` (knowing the others' types), ``information_value``,
    ``value``, ``total_power``, ``total_regret``, ``equilibrium``, ``types``."""
    request: dict = _given(
        steps=None if steps is None else _count(steps, "steps"),
        gamma=None if gamma is None else float(gamma),
        tolerance=None if tolerance is None else float(tolerance),
    )
    request["selection"] = selection
    if profile is not None:
        request["profile"] = profile
    if strategies is not None:
        request["strategies"] = [
            [
                [[_exact_text(x, f"strategies[{i}][{t}][{s}][{a}]") for a, x in enumerate(row)] for s, row in enumerate(by_state)]
                for t, by_state in enumerate(by_type)
            ]
            for i, by_type in enumerate(strategies)
        ]
    return dict(_native.stochastic_incomplete_power(game, request, _type_profiles(profiles, site)))


def stochastic_lambda_sweep(
    game: StochasticGame, lambdas: Sequence[float], progress=None, threads: Optional[int] = None, **options
) -> dict:
    """Each player's POWER and ΣPOWER against λ from common payoff (λ = 0) to
    constant-sum (λ = 1) at equilibrium, with the POWERplay protocol alongside
    for two players, on common samples (rewards ``blend:λ``; discounted), as
    ``powerseek stochastic sweep --lambdas``; options as :func:`stochastic_power`.
    Adds numpy arrays ``lambda``, ``total_mean``, ``total_se`` (per λ) and
    ``power_mean``, ``power_se`` (λ × player), all at equilibrium."""
    lambdas = [float(x) for x in lambdas]
    out = dict(_call(_native.stochastic_lambda_sweep, game, options, lambdas, progress=progress, threads=threads))
    points = out["points"]
    out["lambda"] = np.array([p["lambda"] for p in points], dtype=float)
    out["total_mean"] = np.array([p["equilibrium_total"]["mean"] for p in points], dtype=float)
    out["total_se"] = np.array([p["equilibrium_total"]["se"] for p in points], dtype=float)
    out["power_mean"] = np.array([[e["mean"] for e in p["equilibrium_power"]] for p in points], dtype=float)
    out["power_se"] = np.array([[e["se"] for e in p["equilibrium_power"]] for p in points], dtype=float)
    return out



# Labelled results ------------------------------------------------------------
# Every analysis returns its report as a Result (powerseek.results): the same
# dict as before (the CLI's JSON fields and the numpy arrays), which also
# builds tidy tables (to_pandas), labelled arrays (to_xarray), its picture
# (plot) and a table in Jupyter. Wrapped here, once, after the definitions.

import functools as _functools  # noqa: E402
import inspect as _inspect  # noqa: E402

from . import results  # noqa: E402
from .results import (  # noqa: E402
    AlignmentResult,
    CalibrationResult,
    ConflictTrace,
    FocalResult,
    GamePowerResult,
    LearnedResult,
    TrainedResult,
    CompatibleResult,
    OrbitResult,
    PhaseResult,
    PosteriorResult,
    PowerResult,
    Result,
    RhoSweepResult,
    ScarcityResult,
    SolveResult,
    TwoAgentResult,
)


def _labelled(f, kind):
    """``f`` returning its report as ``kind(report)`` (``kind`` a Result class,
    or a function choosing one from the report)."""

    @_functools.wraps(f)
    def call(*args, **kwargs):
        report = f(*args, **kwargs)
        cls = kind if isinstance(kind, type) else kind(report)
        return cls(report)

    names = [kind] if isinstance(kind, type) else list(kind.returns)
    returns = " or ".join(f":class:`~powerseek.results.{c.__name__}`" for c in names)
    call.__doc__ = (f.__doc__ or "").rstrip() + (
        f"\n\n    Returns a {returns} (a dict of these fields, with tables, arrays and a picture)."
    )
    annotation = names[0] if len(names) == 1 else Union[tuple(names)]
    call.__signature__ = _inspect.signature(f).replace(return_annotation=annotation)  # type: ignore[attr-defined]
    return call


def _multi_kind(report) -> type:
    return FocalResult if "focal" in report else TwoAgentResult


_multi_kind.returns = (TwoAgentResult, FocalResult)  # type: ignore[attr-defined]


power = _labelled(power, PowerResult)
solve = _labelled(solve, SolveResult)
game_power = _labelled(game_power, GamePowerResult)
bayesian_power = _labelled(bayesian_power, GamePowerResult)
alignment = _labelled(alignment, AlignmentResult)
retarget_orbit = _labelled(retarget_orbit, OrbitResult)
retarget_mdp = _labelled(retarget_mdp, OrbitResult)
retarget_learned = _labelled(retarget_learned, LearnedResult)
trained_tendency = _labelled(trained_tendency, TrainedResult)
training_compatible = _labelled(training_compatible, CompatibleResult)
scarcity = _labelled(scarcity, ScarcityResult)
sequential_power = _labelled(sequential_power, _multi_kind)
rho_sweep = _labelled(rho_sweep, RhoSweepResult)
conflict_simulate = _labelled(conflict_simulate, ConflictTrace)
conflict_phase = _labelled(conflict_phase, PhaseResult)
conflict_infer = _labelled(conflict_infer, PosteriorResult)
conflict_calibrate = _labelled(conflict_calibrate, CalibrationResult)

__all__ += [
    "results",
    "Result",
    "PowerResult",
    "SolveResult",
    "GamePowerResult",
    "AlignmentResult",
    "OrbitResult",
    "LearnedResult",
    "TrainedResult",
    "CompatibleResult",
    "ScarcityResult",
    "TwoAgentResult",
    "FocalResult",
    "RhoSweepResult",
    "ConflictTrace",
    "PhaseResult",
    "PosteriorResult",
    "CalibrationResult",
]
