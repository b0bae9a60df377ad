"""pygambit games in and out, exactly.

Games travel as Gambit's own file text (``.nfg`` for strategic games,
``.efg`` for trees), which both sides read and write with exact rational
payoffs, so nothing is rounded on the way.
"""

from __future__ import annotations

import io
from typing import Union

from .._native import BayesianGame, Game


def _gambit():
    try:
        import pygambit  # type: ignore[import-untyped, unused-ignore]
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("this adapter needs pygambit: pip install 'powerseek[gambit]'") from e
    return pygambit


def _is_tree(game) -> bool:
    tree = getattr(game, "is_tree", None)
    if tree is not None:
        return bool(tree)
    return type(game).__name__ == "ExtensiveGame"


def _text(game, fmt: str) -> str:
    """A pygambit game's file text (pygambit 17: ``to_nfg``/``to_efg``; 16: ``write(format=...)``)."""
    writer = getattr(game, f"to_{fmt}", None)
    return writer() if writer is not None else game.write(format=fmt)


def from_pygambit(game) -> Union[Game, BayesianGame]:
    """A powerseek game from a pygambit game, exactly (payoffs as Gambit's
    rationals and decimals, player, strategy and game titles kept).

    A strategic (table) game gives a :class:`~powerseek.Game`. An extensive
    (tree) game gives a :class:`~powerseek.BayesianGame` when it is a
    one-stage Bayesian game (chance draws types, each player moves once
    knowing only their own type), the trees powerseek reads from ``.efg``;
    other trees are an error naming what is unsupported (solve their strategic
    form instead: ``from_pygambit(pygambit.read_nfg(...))``).
    """
    _gambit()
    if _is_tree(game):
        return BayesianGame._from_text(_text(game, "efg"), "efg", f"<pygambit {game.title!r}>")
    return Game._from_text(_text(game, "nfg"), "nfg", f"<pygambit {game.title!r}>")


def to_pygambit(game: Game):
    """A pygambit strategic game equal to ``game`` (exact payoffs, names kept)."""
    gbt = _gambit()
    if not isinstance(game, Game):
        raise TypeError(f"to_pygambit takes a powerseek.Game (got {type(game).__name__})")
    return gbt.read_nfg(io.StringIO(game.to_nfg()))
