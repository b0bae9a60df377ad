"""MiniGrid environments as gridworlds (the ``.grid`` format's MDP).

MiniGrid's agent has a position and a direction and acts by turning and
moving forward, picking up keys and opening doors. :func:`from_minigrid`
keeps the layout of the environment's current episode and replaces that
interface by the gridworld's moves (``up``, ``down``, ``left``, ``right``,
and ``stay``), so POWER is computed over the agent's position.
"""

from __future__ import annotations

from .._native import Mdp


def grid_text(env, *, stay: bool = True) -> str:
    """The ``.grid`` text of a MiniGrid environment's current layout (see :func:`from_minigrid`)."""
    u = getattr(env, "unwrapped", env)
    grid = getattr(u, "grid", None)
    if grid is None or not hasattr(grid, "get"):
        raise TypeError(
            f"from_minigrid needs a MiniGrid environment with a layout (env.unwrapped.grid); "
            f"{type(u).__name__} has none (call env.reset(seed=...) first)"
        )
    agent = getattr(u, "agent_pos", None)
    start = None if agent is None else (int(agent[0]), int(agent[1]))
    lines = [f"stay = {'true' if stay else 'false'}"]
    for y in range(grid.height):
        row = []
        for x in range(grid.width):
            obj = grid.get(x, y)
            if obj is not None and obj.type in ("goal", "lava"):
                row.append("T")
            elif obj is not None and not obj.can_overlap():
                row.append("#")
            elif (x, y) == start:
                row.append("S")
            else:
                row.append(".")
        lines.append("".join(row))
    return "\n".join(lines) + "\n"


def from_minigrid(env, *, stay: bool = True) -> Mdp:
    """A gridworld from a MiniGrid environment's current layout (call
    ``env.reset(seed=...)`` first: many MiniGrid layouts are random).

    Kept: walls, open floor, the agent's cell (the start state), goals and
    lava, both terminal (absorbing: the episode ends there; they differ only
    in MiniGrid's reward, which POWER does not read). Dropped: the agent's
    direction (the moves are the gridworld's ``up``/``down``/``left``/``right``
    and ``stay`` when ``stay=True``, not MiniGrid's turn-and-forward), doors'
    opening and keys (closed and locked doors are walls, open ones floor),
    and objects the agent cannot stand on (keys, balls, boxes: walls).
    """
    return Mdp.gridworld(grid_text(env, stay=stay), f"<minigrid {type(getattr(env, 'unwrapped', env)).__name__}>")
