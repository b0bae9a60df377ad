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

import json
from fractions import Fraction
from typing import Callable, Optional, Sequence, Union

import numpy as np

from . import _native
from ._native import BayesianGame, Game, Mdp, PowerPartial

__all__ = [
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
    "game_power",
    "load_bayesian",
    "bayesian_equilibria",
    "bayesian_power",
    "alignment",
    "orbit_tendency",
    "scarcity",
    "sequential_power",
    "rho_sweep",
    "conflict_simulate",
    "conflict_phase",
]


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


def _power_args(gamma, samples, dist, seed, tolerance, antithetic, batch):
    if not (0.0 <= gamma <= 1.0):
        raise ValueError(f"gamma = {gamma} is outside [0, 1] (0 and 1 are the limits)")
    if samples < 2:
        raise ValueError("samples must be at least 2")
    return dict(
        gamma=float(gamma),
        samples=int(samples),
        dist=str(dist),
        seed=int(seed),
        tolerance=float(tolerance),
        antithetic=bool(antithetic),
        batch=batch,
    )


def power(
    mdp: Mdp,
    gamma: float = 0.9,
    samples: int = 10_000,
    dist: str = "uniform",
    seed: int = 0,
    tolerance: float = 1e-6,
    antithetic: bool = False,
    batch: Optional[int] = None,
) -> dict:
    """POWER of every state (docs/theory.md §2) by Monte Carlo over reward functions.

    Returns a dict of numpy arrays: ``power``, ``se`` (standard errors),
    ``ci95`` (S × 2), ``optimal`` / ``optimal_share`` / ``successor_power``
    (S × max actions, NaN where a state has fewer actions, in the order of
    ``mdp.actions``), ``tie_probability``, and ``samples``. Results depend
    only on ``seed`` (not on threads); values are within ``tolerance``.
    """
    return _native.power(mdp, _power_args(gamma, samples, dist, seed, tolerance, antithetic, batch))


def load_game(path: str) -> Game:
    """Load a normal-form game from Gambit .nfg or JSON."""
    return Game.load(str(path))


def game_from_numpy(payoff_array) -> Game:
    """A game from payoffs of shape (n_players, a_1, ..., a_n): ``payoff_array[i, a_1, ..., a_n]``
    is player i's payoff. Floats are read as their shortest decimal (0.1 means exactly 1/10)."""
    p = _float_array(payoff_array, "payoffs")
    if p.ndim < 2 or p.shape[0] != p.ndim - 1:
        raise ValueError(f"payoffs must have shape (n_players, a_1, ..., a_n) (got {p.shape})")
    n = p.shape[0]
    # Profile-major with player 0's action fastest (Gambit's order), player index fastest within a profile.
    flat = np.stack([p[i].ravel(order="F") for i in range(n)], axis=1).ravel()
    return Game._from_flat(list(p.shape[1:]), flat.tolist())


def payoffs(game: Game) -> np.ndarray:
    """The payoff array (n_players, a_1, ..., a_n) as floats."""
    shape = game.shape
    n = len(shape)
    flat = np.asarray(game._flat_payoffs()).reshape(-1, n)
    return np.stack([flat[:, i].reshape(shape, order="F") for i in range(n)])


def solve(game: Union[Game, BayesianGame], method: Optional[str] = None, all: bool = False) -> dict:
    """Nash equilibria, as ``powerseek game solve`` (the same fields as its
    ``--format json``, exact values as Fractions): ``method`` (``enum``,
    ``support``, ``lh``, ``lp``, ``pure``, ``logit``, ``pure-logit``; default
    by the game), ``all`` for every equilibrium the method finds. Every
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


def _exact(x) -> Fraction:
    if isinstance(x, (Fraction, int, np.integer)):
        return Fraction(int(x)) if isinstance(x, np.integer) else Fraction(x)
    if isinstance(x, str):
        return Fraction(x)
    value = float(x)
    if not np.isfinite(value):
        raise ValueError(f"probability {value} is not a finite number")
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
    w = None if weights is None else [_exact(x) for x in weights]
    return _native.alignment(game, w)


DecisionMaker = Union[str, Callable[[np.ndarray], Sequence[float]]]


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
    outcome set B is more likely than A (docs/theory.md §6).

    ``decision_maker`` is a name (``argmax``, ``boltzmann:2``, ``best-of:3``,
    ...) or a Python function mapping the outcomes' utilities to choice
    probabilities. ``outcomes`` defaults to the unit vectors. With
    ``samples``, that many random permutations instead of the whole orbit
    (drawn in chunks of ``_native.TENDENCY_CHUNK``, each from its own stream;
    ``chunks=(first, end)`` computes only those, for a distributed shard).
    """
    uu = _float_array(u, "u", 1)
    oc = None if outcomes is None else _float_array(outcomes, "outcomes", 2).tolist()
    if not (isinstance(decision_maker, str) or callable(decision_maker)):
        raise ValueError("decision_maker must be a name or a callable")
    b_more, equal, a_more = _native.orbit_tendency(
        decision_maker, oc, uu, [int(i) for i in a], [int(i) for i in b], samples, seed, chunks
    )
    return {"b_more": b_more, "equal": equal, "a_more": a_more, "total": b_more + equal + a_more}


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


def rho_sweep(
    grid: Mdp,
    rhos: Sequence[float],
    turns: str = "alternating",
    no_overlap: bool = False,
    noise: float = 0.0,
    other: str = "random",
    seed_policy: Optional[str] = None,
    gamma: float = 0.9,
    gamma_other: Optional[float] = None,
    reward_on: str = "joint",
    interval: tuple = (0.0, 1.0),
    samples: int = 1_000,
    seed: int = 0,
    tolerance: float = 1e-6,
    other_at: Optional[str] = None,
) -> dict:
    """Two agents, H and A, on a gridworld (docs/theory.md §8), as ``powerseek multi sweep``.

    ``other`` is how the other agent acts: ``random``, ``fixed`` (with
    ``seed_policy``, JSON text ``{"<joint state>": {"<move>": p}}``),
    ``optimal``, ``boltzmann:β`` or ``powerplay`` (POWERplay's protocol).
    Returns numpy arrays indexed ``[ρ, agent, ...]``: ``power`` and ``se`` per
    joint state, ``per_cell`` means, ``mean_power`` (and SEs), ``mean_total``,
    the achieved ``reward_correlation`` and ``power_correlation`` over states.
    ``per_cell`` averages over the other agent's positions, or fixes it at
    the cell named ``other_at`` (e.g. ``"(1,1)"``).
    """
    for r in rhos:
        if not -1.0 <= float(r) <= 1.0:
            raise ValueError(f"rho = {r} is outside [-1, 1]")
    for g in (gamma, gamma if gamma_other is None else gamma_other):
        if not 0.0 < g < 1.0:
            raise ValueError(f"gamma = {g} is outside (0, 1)")
    if samples < 2:
        raise ValueError("samples must be at least 2")
    return _native.sequential(
        grid,
        [float(r) for r in rhos],
        turns,
        bool(no_overlap),
        float(noise),
        other,
        seed_policy,
        float(gamma),
        float(gamma if gamma_other is None else gamma_other),
        reward_on,
        (float(interval[0]), float(interval[1])),
        int(samples),
        int(seed),
        float(tolerance),
        other_at,
    )


def sequential_power(grid: Mdp, rho: float = 0.0, **options) -> dict:
    """Both agents' POWER at one correlation ρ (see :func:`rho_sweep` for the
    options), as ``powerseek multi power``: the arrays without the ρ axis."""
    r = rho_sweep(grid, [rho], **options)
    return {k: (v[0] if isinstance(v, np.ndarray) and k != "rho" else v) for k, v in r.items() if k != "rho"} | {
        "rho": float(rho)
    }


def conflict_simulate(scenario_toml: str) -> dict:
    """Play out a conflict scenario (docs/theory.md §9; the TOML of ``powerseek conflict simulate``)."""
    return json.loads(_native.conflict_simulate(scenario_toml))


def conflict_phase(
    ratio: float,
    cost: float = 0.0,
    contest_exponent: float = 1.0,
    loser_share: float = 0.5,
    temperature: float = 0.0,
    n_alignment: int = 41,
    n_cost: int = 41,
) -> dict:
    """Escalation probability of the weaker agent (power ``ratio`` against 1) over
    alignment × cost; ``probability`` is an (n_cost, n_alignment) array."""
    model = json.dumps(
        {"cost": cost, "contest_exponent": contest_exponent, "loser_share": loser_share, "temperature": temperature}
    )
    d = json.loads(_native.conflict_phase(model, float(ratio), int(n_alignment), int(n_cost)))
    for key in ("probability", "gain"):
        d[key] = np.asarray(d[key]).reshape(len(d["costs"]), len(d["alignments"]))
    return d
