"""OpenSpiel games in and out.

OpenSpiel stores utilities as floats; powerseek reads each as its shortest
decimal (0.1 is exactly 1/10), so payoffs typed as decimals arrive exactly.
"""

from __future__ import annotations

import numpy as np

from .._native import Game


def _pyspiel():
    try:
        import pyspiel  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("this adapter needs OpenSpiel: pip install 'powerseek[openspiel]'") from e
    return pyspiel


def from_openspiel(game) -> Game:
    """A powerseek game from an OpenSpiel game: matrix and tensor games
    directly; any other game with a small normal form (sequential games,
    including those read from ``.efg`` by ``pyspiel.load_efg_game``) through
    OpenSpiel's ``extensive_to_tensor_game``, whose pure strategies are
    complete plans. Payoffs are read as their shortest decimals. Action names
    are not kept (OpenSpiel's differ per game; powerseek names them 1, 2, ...
    as Gambit does for unnamed strategies).

    One-stage Bayesian ``.efg`` files keep their types when loaded with
    :func:`powerseek.load_bayesian` instead.
    """
    pyspiel = _pyspiel()
    kind = type(game).__name__
    if kind == "MatrixGame":
        utilities = np.stack([np.asarray(game.row_utilities()), np.asarray(game.col_utilities())])
    elif kind == "TensorGame":
        utilities = np.stack([np.asarray(game.player_utilities(p)) for p in range(game.num_players())])
    elif hasattr(game, "new_initial_state"):
        return from_openspiel(pyspiel.extensive_to_tensor_game(game))
    else:
        raise TypeError(f"from_openspiel takes an OpenSpiel game (got {kind})")
    from .. import game_from_numpy

    return game_from_numpy(utilities)


def to_openspiel(game: Game):
    """An OpenSpiel matrix game (two players) or tensor game equal to ``game``,
    loaded by OpenSpiel's own ``.nfg`` reader from ``game.to_nfg(header="counts")``
    (action names are dropped, payoffs become the nearest floats)."""
    pyspiel = _pyspiel()
    if not isinstance(game, Game):
        raise TypeError(f"to_openspiel takes a powerseek.Game (got {type(game).__name__})")
    return pyspiel.load_nfg_game(game.to_nfg(header="counts"))
