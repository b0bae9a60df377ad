"""powerseek: POWER, multi-agent POWER, alignment metrics and orbit tendencies.

A thin Python layer over the Rust library: numpy arrays in and out, exact
game-theoretic values as :class:`fractions.Fraction`, long computations run
without the GIL and stop on Ctrl-C.

>>> import powerseek
>>> corridor = powerseek.gridworld("T.T\\n")
>>> r = powerseek.power(corridor, gamma=0.0, samples=20_000)
>>> abs(r["power"][1] - 0.75) < 4 * r["se"][1]   # E[max of 3 U(0,1)] = 3/4
True
"""

from __future__ import annotations

from fractions import Fraction
from typing import Callable, Optional, Sequence, Union

import numpy as np

from . import _native
from ._native import BayesianGame, Game, Mdp, PowerPartial
from ._native import memory_limit, set_memory_limit

__all__ = [
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
    "retarget_mdp",
    "retarget_learned",
    "scarcity",
    "sequential_power",
    "rho_sweep",
    "conflict_simulate",
    "conflict_phase",
    "conflict_infer",
    "conflict_calibrate",
]


def _given(**fields) -> dict:
    """The fields that were given (None means: the library's default)."""
    return {k: v for k, v in fields.items() if v is not None}


def load_mdp(path: str) -> Mdp:
    """Load an MDP from a .grid, .json, .mdp or .pomdp file."""
    return Mdp.load(str(path))


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


def mdp_from_numpy(
    transitions,
    state_names: Optional[Sequence[str]] = None,
    action_names: Optional[Sequence[str]] = None,
) -> Mdp:
    """An MDP from ``transitions[s, a, s']`` of shape (S, A, S).

    A row that is all zero means action ``a`` does not exist at ``s`` (it is
    never a phantom zero-reward move); every other row must sum to 1.
    """
    t = _float_array(transitions, "transitions", 3)
    n, k, m = t.shape
    if n != m or n == 0 or k == 0:
        raise ValueError(f"transitions must have shape (S, A, S) with S, A > 0 (got {t.shape})")
    states = [str(s) for s in (state_names if state_names is not None else range(n))]
    actions = [str(a) for a in (action_names if action_names is not None else range(k))]
    if len(states) != n or len(actions) != k:
        raise ValueError(f"{len(states)} state names and {len(actions)} action names for shape {t.shape}")
    return Mdp._from_numpy(t, states, actions)


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
    gamma, samples, dist, seed, tolerance, antithetic, batch, method=None, max_iterations=None, target_se=None, max_samples=None
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
) -> dict:
    """POWER of every state (docs/theory.md §2) by Monte Carlo over reward
    functions, as ``powerseek power`` (``gamma`` defaults to the file's discount, else 0.9;
    0 and 1 are the limits). Options left out take the library's defaults,
    as on the command line (10 000 samples, ``uniform`` rewards, seed 0,
    tolerance 1e-6). ``method`` ``vi`` (default) or ``pi``,
    ``max_iterations``, and ``target_se`` (sample until every state's
    standard error is at most this, up to ``max_samples``) are the CLI's options.

    Returns the fields of the CLI's ``--format json`` (``gamma``,
    ``distribution``, ``samples``, ``states`` with per-action results, ...)
    and numpy arrays of the same numbers: ``power``, ``se`` (standard
    errors), ``ci95`` (S × 2), ``optimal`` / ``optimal_share`` /
    ``successor_power`` (S × max actions, NaN where a state has fewer
    actions, in the order of ``mdp.actions``) and ``tie_probability``.
    Results depend only on ``seed`` (not on threads); values are within
    ``tolerance``.
    """
    args = _power_args(gamma, samples, dist, seed, tolerance, antithetic, batch, method, max_iterations, target_se, max_samples)
    return _native.power(mdp, args)


def load_game(path: str) -> Game:
    """Load a normal-form game from Gambit .nfg or JSON."""
    return Game.load(str(path))


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


def solve(game: Union[Game, BayesianGame], method: Optional[str] = None, all: bool = False) -> dict:
    """Nash equilibria, as ``powerseek game solve`` (the same fields as its
    ``--format json``, exact values as Fractions): ``method`` (``enum``,
    ``support``, ``lh``, ``lp``, ``pure``, ``logit``, ``pure-logit``,
    ``poly``, ``type-support``; default by the game's size), ``all`` for
    every equilibrium the method finds. Every
    profile is re-checked by its exact regret. A Bayesian game's equilibria
    are behaviours ``behaviour[player][type][action]``."""
    if isinstance(game, BayesianGame):
        return _native.solve_bayesian(game, method, bool(all))
    return _native.solve(game, method, bool(all))


def equilibria(game: Game, exact: bool = False, method: Optional[str] = None, all: bool = True) -> list:
    """The profiles of :func:`solve` (by default ``all=True``: all extreme
    equilibria for two players, exact; every pure equilibrium plus a
    logit-path one otherwise). Each is a list of per-player probability
    arrays (or lists of Fractions with ``exact=True``)."""
    out = [e["strategies"] for e in solve(game, method, all)["equilibria"]]
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
        total = sum(exact)
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


def game_power(game: Game, profile=None) -> dict:
    """Multi-agent POWER (docs/theory.md §3), as ``powerseek game power``:
    at ``profile`` (``profile[player][action]``, or ``"uniform"``), or, by
    default, at every equilibrium and the uniform profile. Exact (Fractions).
    Each entry of ``profiles`` has ``label``, ``behaviour`` (one type per
    player), ``players`` (``power``, ``expected_payoff``, ``by_type``),
    ``total_power``, ``total_regret`` and ``is_equilibrium``."""
    return _native.game_power(game, _profile_arg(profile, nested=False))


def load_bayesian(path: str) -> BayesianGame:
    """Load a Bayesian game: one-stage .efg, Bayesian JSON, or a normal-form .nfg/.json (one type each)."""
    return BayesianGame.load(str(path))


def bayesian_equilibria(game: BayesianGame, exact: bool = False, method: Optional[str] = None, all: bool = True) -> list:
    """The behaviours of :func:`solve` (by default ``all=True``):
    ``b[player][type]`` is a probability vector over the player's actions
    (Fractions with ``exact=True``, else numpy arrays)."""
    out = [e["behaviour"] for e in solve(game, method, all)["equilibria"]]
    if exact:
        return out
    return [[[np.array([float(x) for x in t]) for t in player] for player in b] for b in out]


def bayesian_power(game: BayesianGame, behaviour=None) -> dict:
    """:func:`game_power` for a Bayesian game: at ``behaviour[player][type]``
    (or ``"uniform"``), or at every equilibrium and the uniform profile;
    ``by_type`` is None for types of probability 0."""
    return _native.game_power(game, _profile_arg(behaviour, nested=True))


def alignment(game: Game, weights: Optional[Sequence[float]] = None) -> dict:
    """Every alignment metric (docs/theory.md §4), as ``powerseek game align``:
    α and the alignment gap, max and ideal welfare, security levels, the
    threat point, Nash bargaining, and the local metrics at each localizer
    (exact values as Fractions; pure profiles as action indices)."""
    w = None if weights is None else [_exact(x, f"weights[{k}]") for k, x in enumerate(weights)]
    return _native.alignment(game, w)


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
) -> dict:
    """Orbit tendencies (docs/theory.md §6) of outcome set B versus A, as ``powerseek retarget orbit``
    (the same fields as its ``--format json``; ``a`` and ``b`` index outcomes from 0).

    ``decision``: comma-separated names (default one of each kind) or a Python
    function of the outcomes' utilities. ``samples`` random permutations
    instead of the whole orbit (needed beyond 20 entries of ``u``);
    ``parameters`` random parameters whose worst orbit is reported; ``n`` of
    B ≥_most^n A (default: the disjoint copies of A in B).
    """
    names, fn = _split_decision(decision)
    fields = _orbit_fields(u, a, b, outcomes) | _given(
        decision=names, samples=samples, seed=seed, parameters=parameters, n=n
    )
    return _native.orbit(fields, fn)


def orbit_tendency(
    decision_maker: DecisionMaker,
    u,
    a: Sequence[int],
    b: Sequence[int],
    outcomes=None,
    samples: Optional[int] = None,
    seed: int = 0,
    chunks: Optional[tuple] = None,
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
    row = _native.orbit(fields, fn)["results"][0]
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
) -> dict:
    """Permutations witnessing (A→B) n-retargetability of one decision-maker
    (default argmax) on ``u`` and random parameters, or a counterexample, as
    ``powerseek retarget check``: ``result`` is ``witness`` (``permutations``),
    ``counterexample`` (``parameter``, ``permutation``) or ``no_candidates``."""
    names, fn = _split_decision(decision)
    fields = _orbit_fields(u, a, b, outcomes) | _given(decision=names, n=n, parameters=parameters, seed=seed)
    return _native.check(fields, fn)


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
) -> dict:
    """First actions ``a`` and ``b`` at ``state`` (default: the start state) of a
    deterministic MDP, compared over the orbits of random reward functions,
    as ``powerseek retarget mdp``: per decision-maker the worst orbit
    (``gamma`` defaults to the file's discount, else 0.9)."""
    fields = _given(
        a=str(a), b=str(b), state=state, gamma=gamma, decision=decision, parameters=parameters, samples=samples, seed=seed
    )
    return _native.mdp_tendency(mdp, fields)


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
) -> dict:
    """Q-learners trained on rewards drawn from the orbit of a random reward:
    how often their first move at ``state`` is ``b`` rather than ``a``, as
    ``powerseek retarget learned`` (``result`` has the counts and a 95% CI)."""
    fields = _given(
        a=str(a),
        b=str(b),
        state=state,
        agents=agents,
        episodes=episodes,
        horizon=horizon,
        epsilon=epsilon,
        alpha=alpha,
        gamma=gamma,
        seed=seed,
    )
    return _native.learned(mdp, fields)


def scarcity(
    players: Optional[int] = None,
    actions: Optional[int] = None,
    types: Optional[int] = None,
    games: Optional[int] = None,
    lambdas: Optional[Sequence[float]] = None,
    seed: Optional[int] = None,
    only: Optional[int] = None,
) -> dict:
    """The power-scarcity sweep over λ, as ``powerseek experiment scarcity``
    (the same fields as its ``--format json``); ``None`` takes the library's
    default (2 players, 3 actions, 1 type, 200 games, λ = −1, −0.8, …, 1, seed 0).

    ``only`` restricts the sweep to the λ at that index (a distributed shard)."""
    given = dict(players=players, actions=actions, types=types, games=games, lambdas=lambdas, seed=seed)
    options = {k: v for k, v in given.items() if v is not None}
    if lambdas is not None:
        options["lambdas"] = [float(x) for x in lambdas]
    return _native.scarcity(options, only)


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
    d = _native.multi_sweep(grid, fields, [float(r) for r in rhos])
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
    return _two_agent_arrays(_native.multi_power(grid, fields, None if rho is None else float(rho)))


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
    return _grid_arrays(_native.conflict_infer(fields, observations), ("density",))


def conflict_calibrate(
    *,
    grid: Optional[int] = None,
    episodes: Optional[int] = None,
    replicates: Optional[int] = None,
    seed: Optional[int] = None,
    contest_exponent: Optional[float] = None,
    loser_share: Optional[float] = None,
    temperature: Optional[float] = None,
) -> dict:
    """Simulation-based calibration of :func:`conflict_infer`, as ``powerseek
    conflict calibrate``: coverage of 90% credible intervals."""
    fields = _model_fields(contest_exponent, loser_share, temperature) | _given(
        grid=None if grid is None else int(grid),
        episodes=None if episodes is None else int(episodes),
        replicates=None if replicates is None else int(replicates),
        seed=None if seed is None else int(seed),
    )
    return _native.conflict_calibrate(fields)
