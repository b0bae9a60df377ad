"""Adapters from (and to) the objects researchers already have: Gymnasium
and MiniGrid environments, pygambit and OpenSpiel games. Each adapter imports
its library only when called (importing powerseek imports none of them); install them as extras, e.g.
``pip install "powerseek[gymnasium,gambit]"``.

- :func:`from_gymnasium` — an :class:`~powerseek.Mdp` from an environment
  with a transition table ``env.unwrapped.P`` (FrozenLake, CliffWalking, Taxi).
- :func:`from_minigrid` — a gridworld from a MiniGrid environment's layout.
- :func:`from_pygambit` / :func:`to_pygambit` — normal-form games, exactly.
- :func:`from_openspiel` / :func:`to_openspiel` — matrix and tensor games
  (and one-stage ``.efg`` text through :func:`powerseek.load_bayesian`).
"""

from __future__ import annotations


from .gambit import from_pygambit, to_pygambit
from .gymnasium import from_gymnasium
from .minigrid import from_minigrid
from .openspiel import from_openspiel, to_openspiel

__all__ = ["from_gymnasium", "from_minigrid", "from_pygambit", "to_pygambit", "from_openspiel", "to_openspiel"]
