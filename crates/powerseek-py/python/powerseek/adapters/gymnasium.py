"""Gymnasium environments with a transition table as MDPs.

Toy-text environments (FrozenLake, CliffWalking, Taxi, and any environment
whose ``env.unwrapped.P[s][a]`` lists ``(probability, next_state, reward,
terminated)``) describe their dynamics completely; :func:`from_gymnasium`
reads that table. Rewards are not read: POWER averages over reward functions
(``dist=``), so the environment's own reward is one draw among many.
"""

from __future__ import annotations

from typing import Optional, Sequence

from .._native import Mdp

#: Action names of the toy-text environments, by class name (Gymnasium's numbering).
ACTION_NAMES = {
    "FrozenLakeEnv": ["left", "down", "right", "up"],
    "CliffWalkingEnv": ["up", "right", "down", "left"],
    "TaxiEnv": ["south", "north", "east", "west", "pickup", "dropoff"],
}

_TAXI_PLACES = ["R", "G", "Y", "B"]


def _grid_shape(env) -> Optional[tuple]:
    """``(rows, cols)`` when each state is one cell of a grid, row by row."""
    if hasattr(env, "desc") and hasattr(env, "nrow") and hasattr(env, "ncol"):
        return int(env.nrow), int(env.ncol)
    shape = getattr(env, "shape", None)
    n = getattr(getattr(env, "observation_space", None), "n", None)
    if isinstance(shape, tuple) and len(shape) == 2 and n is not None and shape[0] * shape[1] == int(n):
        return int(shape[0]), int(shape[1])
    return None


def _state_names(env, n: int, shape) -> list:
    if shape is not None:
        return [f"({s // shape[1]},{s % shape[1]})" for s in range(n)]
    if type(env).__name__ == "TaxiEnv" and hasattr(env, "decode"):
        names = []
        for s in range(n):
            row, col, passenger, destination = env.decode(s)
            where = "taxi" if passenger == len(_TAXI_PLACES) else _TAXI_PLACES[passenger]
            names.append(f"taxi ({row},{col}), passenger {where}, destination {_TAXI_PLACES[destination]}")
        return names
    return [str(s) for s in range(n)]


def _start(env, n: int) -> Optional[int]:
    """The start state when the environment always starts in one."""
    import numpy as np

    isd = getattr(env, "initial_state_distrib", None)
    if isd is None:
        return None
    isd = np.asarray(isd, dtype=float)
    if isd.shape != (n,) or np.count_nonzero(isd) != 1:
        return None
    return int(np.argmax(isd))


def from_gymnasium(env, *, terminal: str = "absorb", action_names: Optional[Sequence[str]] = None) -> Mdp:
    """The MDP of a Gymnasium environment with a transition table
    (``env.unwrapped.P``: FrozenLake, CliffWalking, Taxi, ...).

    - States are the environment's (``Discrete`` observations, in order);
      transitions listed twice for one ``(s, a, s')`` — a slippery move that
      lands on the same cell two ways — are summed.
    - Actions keep their names (``left``, ``down``, ... for the toy-text
      environments; ``action_names=`` for others, else ``"0"``, ``"1"``, ...).
    - Grid environments (FrozenLake, CliffWalking) keep their map: states are
      named ``"(row,col)"`` like gridworld cells and the MDP has a layout, so
      heatmaps draw it. Taxi's states are named by taxi cell, passenger and
      destination. A deterministic start (``initial_state_distrib``) is the
      MDP's start state.
    - ``terminal="absorb"`` (default): a state that some transition enters
      with ``terminated=True`` (FrozenLake's holes and goal, CliffWalking's
      goal, Taxi's delivered states) becomes absorbing — each action stays
      there — since the episode ends on arrival. ``terminal="keep"`` copies
      the table as it is (CliffWalking's table lets the agent walk on from
      the goal, which an episode never does).
    - Rewards and ``truncated`` (time limits) are not read.
    """
    if terminal not in ("absorb", "keep"):
        raise ValueError(f"terminal must be 'absorb' or 'keep' (got {terminal!r})")
    u = getattr(env, "unwrapped", env)
    table = getattr(u, "P", None)
    if not isinstance(table, dict):
        raise TypeError(
            f"from_gymnasium needs an environment with a transition table env.unwrapped.P "
            f"(FrozenLake, CliffWalking, Taxi, ...); {type(u).__name__} has none"
        )
    n = getattr(getattr(u, "observation_space", None), "n", None)
    k = getattr(getattr(u, "action_space", None), "n", None)
    if n is None or k is None:
        raise TypeError("from_gymnasium needs Discrete observation and action spaces")
    n, k = int(n), int(k)
    if set(table) != set(range(n)):
        raise ValueError(f"env.unwrapped.P has {len(table)} states; the observation space has {n}")
    if action_names is None:
        action_names = ACTION_NAMES.get(type(u).__name__, [str(a) for a in range(k)])
    names = [str(a) for a in action_names]
    if len(names) != k:
        raise ValueError(f"{len(names)} action names for {k} actions")
    ended = set()
    if terminal == "absorb":
        ended = {int(t[1]) for s in range(n) for a in table[s] for t in table[s][a] if bool(t[3])}
    rows = []
    for s in range(n):
        for a in sorted(table[s]):
            if not 0 <= int(a) < k:
                raise ValueError(f"env.unwrapped.P[{s}] has action {a}; the action space has {k}")
            if s in ended:
                rows.append((s, names[int(a)], [(s, 1.0)]))
                continue
            row = [(int(t[1]), float(t[0])) for t in table[s][a]]
            rows.append((s, names[int(a)], row))
    shape = _grid_shape(u)
    layout = None
    if shape is not None:
        h, w = shape
        layout = (h, w, [True] * (h * w), [(s // w, s % w) for s in range(n)])
    return Mdp._build(_state_names(u, n, shape), rows, None, layout, _start(u, n))
