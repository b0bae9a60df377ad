"""Distributed sweeps on Ray: the work is split into seeded shards whose
results merge exactly, so the answer does not depend on the number of shards
or workers, and a retried task gives the same result.

- :func:`power`: shards are runs of reward samples on chunk boundaries; the
  per-batch statistics are merged in sample order, reproducing
  :func:`powerseek.power` bit for bit.
- :func:`scarcity`: shards are values of λ (each λ's games are seeded by
  λ's index and the game's index); results are concatenated in λ order.
- :func:`orbit_tendency`: shards are runs of sampled permutations (chunks of
  ``_native.TENDENCY_CHUNK``, each from its own stream); counts are summed.
- :func:`trained_tendency`: shards are runs of permutation chunks of every
  orbit; a Python trainer is shipped to the workers (it must pickle, as Ray
  pickles functions) and each training run's seed depends only on the seed,
  the orbit and the reward, so the summed counts equal the single-process ones.
- :func:`rho_sweep`: one task per ρ of a two-agent gridworld sweep; arrays
  are concatenated in ρ order.
- :func:`stochastic_lambda_sweep`: one task per λ of a stochastic game's
  sweep from common payoff to constant-sum; arrays concatenated in λ order.

Each task declares the CPUs it uses (``cpus_per_task``, default 1: Ray's
default for a task) and computes on a thread pool of exactly that size, so
Ray's scheduling matches the work instead of every task starting a pool of
all the machine's cores.

Call ``ray.init()`` (or ``ray.init(address=...)`` for a cluster) first. Ray is
an optional dependency: ``pip install powerseek[ray]``.
"""

from __future__ import annotations

from typing import Optional, Sequence

import powerseek
from powerseek import _native


def _ray():
    try:
        import ray
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("powerseek.distributed needs Ray: pip install 'powerseek[ray]'") from e
    return ray


def _cpus(cpus_per_task) -> int:
    """A ``cpus_per_task`` argument: a positive integer."""
    from ._progress import threads_arg

    try:
        count = threads_arg(cpus_per_task)
    except ValueError:
        count = None
    if count is None:
        raise ValueError(f"cpus_per_task must be a positive integer (got {cpus_per_task!r})")
    return count


def _shards(total: int, step: int, shards: int) -> list:
    """Split 0..total into at most `shards` contiguous ranges whose starts are multiples of `step`."""
    blocks = (total + step - 1) // step
    per = max(1, -(-blocks // max(1, shards)))
    return [(b * step, min(total, (b + per) * step)) for b in range(0, blocks, per)]


def _concatenated(parts: list) -> dict:
    """One-point sweep results merged in order: numpy arrays concatenated,
    ``points`` joined, other fields from the first."""
    import numpy as np

    merged = dict(parts[0])
    for key, value in parts[0].items():
        if isinstance(value, np.ndarray):
            merged[key] = np.concatenate([p[key] for p in parts])
    merged["points"] = [point for p in parts for point in p["points"]]
    return merged


def power(
    mdp: powerseek.Mdp,
    gamma: Optional[float] = None,
    samples: int = 10_000,
    dist: str = "uniform",
    seed: int = 0,
    tolerance: float = 1e-6,
    antithetic: bool = False,
    batch: Optional[int] = None,
    shards: int = 4,
    max_retries: int = 3,
    cpus_per_task: int = 1,
    _task_hook=None,
) -> dict:
    """:func:`powerseek.power` as Ray tasks; identical result for any ``shards``
    and ``cpus_per_task``.

    ``_task_hook`` (testing) is called in each task before it computes.
    """
    ray = _ray()
    cpus = _cpus(cpus_per_task)
    args = powerseek._power_args(gamma, samples, dist, seed, tolerance, antithetic, batch)

    @ray.remote(num_cpus=cpus, max_retries=max_retries, retry_exceptions=True)
    def shard(m, first, end):
        if _task_hook is not None:
            _task_hook(first)
        return _native.power_partials(m, first, end, args, threads=cpus)

    ref = ray.put(mdp)
    parts = ray.get([shard.remote(ref, a, b) for a, b in _native.power_shards(mdp, args, shards)])
    return _native.finish_power(mdp, [p for ps in parts for p in ps], args)


def scarcity(
    players: Optional[int] = None,
    actions: Optional[int] = None,
    types: Optional[int] = None,
    games: Optional[int] = None,
    lambdas: Optional[Sequence[float]] = None,
    seed: Optional[int] = None,
    max_retries: int = 3,
    cpus_per_task: int = 1,
) -> dict:
    """:func:`powerseek.scarcity` with one Ray task per λ.

    Each λ's games are drawn from streams indexed by λ's position in the
    full list, so each task receives the full list and keeps one summary.
    """
    ray = _ray()
    cpus = _cpus(cpus_per_task)
    lam = _native.scarcity_default_lambdas() if lambdas is None else [float(x) for x in lambdas]

    @ray.remote(num_cpus=cpus, max_retries=max_retries, retry_exceptions=True)
    def one(j):
        return powerseek.scarcity(players, actions, types, games, lam, seed, only=j, threads=cpus)

    results = ray.get([one.remote(j) for j in range(len(lam))])
    merged = dict(results[0])
    for key in ("summaries", "games"):
        if key in merged:
            merged[key] = [x for r in results for x in r[key]]
    return merged


def orbit_tendency(
    decision_maker: str,
    u,
    a: Sequence[int],
    b: Sequence[int],
    samples: int,
    outcomes=None,
    seed: int = 0,
    shards: int = 4,
    max_retries: int = 3,
    cpus_per_task: int = 1,
) -> dict:
    """Sampled orbit tendency (:func:`powerseek.orbit_tendency` with ``samples``)
    as Ray tasks over runs of permutation chunks; the counts equal the
    single-process ones exactly for any ``shards``.

    The decision-maker is a built-in name here (a Python function would have
    to be shipped to the workers; use the single-process call for those).
    """
    ray = _ray()
    chunk = _native.TENDENCY_CHUNK
    cpus = _cpus(cpus_per_task)

    @ray.remote(num_cpus=cpus, max_retries=max_retries, retry_exceptions=True)
    def one(first, end):
        return powerseek.orbit_tendency(
            decision_maker,
            u,
            a,
            b,
            outcomes=outcomes,
            samples=samples,
            seed=seed,
            chunks=(first // chunk, end // chunk),
            threads=cpus,
        )

    parts = ray.get([one.remote(x, y) for x, y in _shards(-(-samples // chunk) * chunk, chunk, shards)])
    return {key: sum(p[key] for p in parts) for key in ("b_more", "equal", "a_more", "total")}


def trained_tendency(
    mdp: powerseek.Mdp,
    trainer,
    a: str,
    b: str,
    samples: int,
    state: Optional[str] = None,
    u=None,
    parameters: Optional[int] = None,
    seed: int = 0,
    n: Optional[int] = None,
    training: Optional[dict] = None,
    shards: int = 4,
    max_retries: int = 3,
    cpus_per_task: int = 1,
):
    """:func:`powerseek.trained_tendency` with ``samples`` as Ray tasks over runs
    of permutation chunks; the report equals the single-process one for any
    ``shards``. Returns a :class:`~powerseek.results.TrainedResult`."""
    ray = _ray()
    chunk = _native.TENDENCY_CHUNK
    cpus = _cpus(cpus_per_task)
    args = (trainer, a, b, state, u, parameters, samples, seed, n, training)
    fields, native = powerseek._trained_args(*args)

    @ray.remote(num_cpus=cpus, max_retries=max_retries, retry_exceptions=True)
    def one(m, first, end):
        part, f = powerseek._trained_args(*args, chunks=(first // chunk, end // chunk))
        return _native.trained_tendency(m, part, f, threads=cpus)

    ref = ray.put(mdp)
    parts = ray.get([one.remote(ref, x, y) for x, y in _shards(-(-samples // chunk) * chunk, chunk, shards)])
    counts = [
        {key: sum(p["orbits"][k][key] for p in parts) for key in ("b_more", "equal", "a_more")}
        for k in range(len(parts[0]["orbits"]))
    ]
    name = None if native is None else parts[0]["trainer"]
    return powerseek.TrainedResult(_native.trained_report(mdp, fields, name, counts))


def rho_sweep(
    grid: powerseek.Mdp, rhos: Sequence[float], max_retries: int = 3, cpus_per_task: int = 1, **options
) -> dict:
    """:func:`powerseek.rho_sweep` with one Ray task per ρ (each ρ is computed
    exactly as in one process, so the arrays are identical); ``options`` as there."""
    ray = _ray()
    cpus = _cpus(cpus_per_task)

    @ray.remote(num_cpus=cpus, max_retries=max_retries, retry_exceptions=True)
    def one(rho):
        return powerseek.rho_sweep(grid, [rho], threads=cpus, **options)

    return _concatenated(ray.get([one.remote(float(r)) for r in rhos]))


def stochastic_lambda_sweep(
    make_game,
    lambdas: Sequence[float],
    max_retries: int = 3,
    cpus_per_task: int = 1,
    **options,
) -> dict:
    """:func:`powerseek.stochastic_lambda_sweep` with one Ray task per λ (each
    λ is computed exactly as in one process, so the results are identical up
    to ``seconds``); ``options`` as there. ``make_game`` is a zero-argument
    callable building the game on the worker (a :class:`powerseek.StochasticGame`
    is not picklable), e.g. ``functools.partial(powerseek.stochastic_game_from_grid, grid)``."""
    ray = _ray()
    if not callable(make_game):
        raise TypeError(
            "make_game must be a zero-argument callable building the game on each worker, "
            "e.g. functools.partial(powerseek.stochastic_game_from_grid, grid)"
        )
    cpus = _cpus(cpus_per_task)

    @ray.remote(num_cpus=cpus, max_retries=max_retries, retry_exceptions=True)
    def one(lam):
        return powerseek.stochastic_lambda_sweep(make_game(), [lam], threads=cpus, **options)

    parts = ray.get([one.remote(float(x)) for x in lambdas])
    merged = _concatenated(parts)
    merged["seconds"] = sum(p["seconds"] for p in parts)
    return merged
