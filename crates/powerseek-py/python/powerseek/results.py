"""Result objects: the library's reports with their numbers labelled.

Every analysis returns a :class:`Result`, a ``dict`` with the same fields as
the CLI's ``--format json`` (so ``result["power"]`` and ``json.dumps`` work as
for a plain dict), which also

* builds tidy tables with ``to_pandas(table)``: one row per state, per
  (state, action), per (equilibrium, player, action), ... with names rather
  than indices, so an action column means the same action in every row;
* builds, where the data is array-shaped, an :mod:`xarray` Dataset with
  ``to_xarray()``: states, actions, agents, ρ, grid cells as coordinates;
* draws itself with ``plot()`` (a matplotlib figure; see :mod:`powerseek.plotting`);
* shows a table in Jupyter (``_repr_html_``), without pandas too.

Exact values (equilibria, multi-agent POWER, alignment) stay
:class:`fractions.Fraction` in every table; Monte Carlo estimates come with
their standard errors and 95% intervals. pandas, xarray and matplotlib are
optional: install the extras ``powerseek[pandas]``, ``powerseek[xarray]``,
``powerseek[plot]``.

    >>> import powerseek
    >>> r = powerseek.power(powerseek.gridworld("T.T\\n"), gamma=0.0, samples=2000)
    >>> type(r).__name__, r.tables
    ('PowerResult', ('states', 'actions'))
    >>> [row[:2] for row in r.rows("actions")][:3]
    [('(0,0)', 'stay'), ('(0,1)', 'left'), ('(0,1)', 'right')]
"""

from __future__ import annotations

import html
import importlib
import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any, Iterable, List, Optional, Sequence, Tuple

import numpy as np

__all__ = [
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
    "require",
]

Rows = List[Tuple[Any, ...]]


def require(module: str, extra: str, what: str):
    """Import an optional dependency, or raise an ImportError naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"{what} needs {module}: pip install 'powerseek[{extra}]'") from None


def same(a, b) -> bool:
    """Deep equality of report values: numpy arrays element-wise (NaN equals
    NaN), mappings and sequences item by item."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        x, y = np.asarray(a), np.asarray(b)
        if x.shape != y.shape:
            return False
        if x.dtype.kind in "fc" and y.dtype.kind in "fc":
            return bool(np.array_equal(x, y, equal_nan=True))
        return bool(np.array_equal(x, y))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def _cell(x) -> str:
    """A table cell as text for HTML: Fractions exactly, floats to 6 significant digits."""
    if x is None:
        return ""
    if isinstance(x, (float, np.floating)):
        return "nan" if math.isnan(x) else f"{x:.6g}"
    return str(x)


def html_table(columns: Sequence[str], rows: Rows, max_rows: int = 20) -> str:
    """A small HTML table (the first ``max_rows`` rows, with a count of the rest)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(x))}</td>" for x in row) + "</tr>" for row in rows[:max_rows]
    )
    more = ""
    if len(rows) > max_rows:
        more = f"<p>… {len(rows) - max_rows} more rows (to_pandas() has them all)</p>"
    return f'<table class="powerseek"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}'


def _attrs(d: Mapping, keys: Iterable[str]) -> dict:
    """Scalar fields as xarray attributes (None dropped, other values as given)."""
    return {k: d[k] for k in keys if k in d and d[k] is not None}


def _layout_coords(layout: Optional[Mapping], n: int) -> Optional[Tuple[np.ndarray, np.ndarray]]:
    """Row and column of each of ``n`` states (cells) from a report's ``layout``."""
    if not layout:
        return None
    pos = np.asarray(layout["positions"], dtype=int).reshape(-1, 2)
    if len(pos) != n:
        return None
    return pos[:, 0], pos[:, 1]


def grid_image(layout: Mapping, values: Sequence[float]) -> np.ndarray:
    """Per-state ``values`` placed on the grid of ``layout`` (a report's
    ``layout`` field): a (height, width) array, NaN at walls."""
    image = np.full((layout["height"], layout["width"]), np.nan)
    for (r, c), v in zip(layout["positions"], values):
        image[r, c] = np.nan if v is None else v
    return image


class Result(dict):
    """A report: a dict of the CLI's JSON fields (plus numpy arrays of its
    numbers), with tables (``rows``, ``to_pandas``), arrays (``to_xarray``),
    a picture (``plot``) and Jupyter display. Picklable; ``==`` compares
    every field (arrays element-wise)."""

    #: The tables :meth:`rows` and :meth:`to_pandas` build; the first is the default.
    tables: Tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """The fields as a plain dict."""
        return dict(self)

    def summary(self) -> str:
        """One line saying what this result is."""
        return f"{len(self)} fields"

    def _table(self, name: str) -> Tuple[List[str], Rows]:
        raise NotImplementedError

    def _table_name(self, table: Optional[str]) -> str:
        if not self.tables:
            raise TypeError(f"{type(self).__name__} has no tables")
        name = self.tables[0] if table is None else table
        if name not in self.tables:
            raise ValueError(f"{type(self).__name__}: no table {name!r} (tables: {', '.join(self.tables)})")
        return name

    def columns(self, table: Optional[str] = None) -> List[str]:
        """The column names of ``table`` (default: the first of :attr:`tables`)."""
        return self._table(self._table_name(table))[0]

    def rows(self, table: Optional[str] = None) -> Rows:
        """The rows of ``table`` as tuples (no pandas needed), in the order of :meth:`columns`."""
        return self._table(self._table_name(table))[1]

    def to_pandas(self, table: Optional[str] = None):
        """``table`` (default: the first of :attr:`tables`) as a pandas DataFrame:
        one row per item, names rather than indices, exact values as Fractions."""
        pd = require("pandas", "pandas", f"{type(self).__name__}.to_pandas")
        columns, rows = self._table(self._table_name(table))
        return pd.DataFrame.from_records(rows, columns=columns)

    def to_xarray(self):
        """The result's arrays as an xarray Dataset with labelled coordinates."""
        raise TypeError(f"{type(self).__name__} is not array-shaped; use to_pandas()")

    def plot(self, **kwargs):
        """The result's picture as a matplotlib figure (see :mod:`powerseek.plotting`)."""
        raise TypeError(f"{type(self).__name__} has no picture")

    def __eq__(self, other) -> bool:
        return isinstance(other, Mapping) and same(dict(self), dict(other))

    def __ne__(self, other) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self):
        return (type(self), (dict(self),))

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.summary()}; fields {', '.join(self)}>"

    def _repr_html_(self) -> str:
        head = f"<p><b>{html.escape(type(self).__name__)}</b>: {html.escape(self.summary())}</p>"
        if not self.tables:
            return head
        columns, rows = self._table(self.tables[0])
        return head + html_table(columns, rows)


def _estimate(e: Mapping) -> Tuple[float, float, float, float]:
    """An estimate ``{mean, se, ci95}`` as (mean, se, low, high)."""
    return (e["mean"], e["se"], e["ci95"][0], e["ci95"][1])


_EST = ["mean", "se", "ci95_low", "ci95_high"]


# POWER ---------------------------------------------------------------------

#: The per-action fields of a POWER report, as :meth:`PowerResult.by_action` reads them.
_ACTION_FIELDS = {
    "optimal": lambda a: a["optimal"],
    "optimal_share": lambda a: a["optimal_share"],
    "successor_power": lambda a: a["successor_power"]["mean"],
    "successor_se": lambda a: a["successor_power"]["se"],
}


class PowerResult(Result):
    """POWER of every state (``powerseek.power``). Tables: ``states`` (one row
    per state: POWER with its standard error and 95% interval, the tie
    probability, and for a gridworld the row and column) and ``actions`` (one
    row per state and action *by name*: probability of being optimal,
    successor POWER, the actions it seeks power over)."""

    tables = ("states", "actions")

    def summary(self) -> str:
        return (
            f"POWER of {len(self['states'])} states, γ = {self['gamma']}, {self['distribution']}, "
            f"{self['samples']} samples (seed {self['seed']}; Monte Carlo: mean ± se)"
        )

    def _table(self, name):
        states = self["states"]
        pos = _layout_coords(self.get("layout"), len(states))
        if name == "states":
            cols = ["state"] + (["row", "col"] if pos else []) + ["power", "se", "ci95_low", "ci95_high", "tie_probability"]
            rows = []
            for s, st in enumerate(states):
                where = (int(pos[0][s]), int(pos[1][s])) if pos else ()
                rows.append((st["name"], *where, *_estimate(st["power"]), st["tie_probability"]))
            return cols, rows
        cols = ["state", "action", "optimal", "optimal_share", "successor_power", "successor_se", "seeks_power_over"]
        rows = [
            (
                st["name"],
                a["action"],
                a["optimal"],
                a["optimal_share"],
                a["successor_power"]["mean"],
                a["successor_power"]["se"],
                ", ".join(a["seeks_power_over"]),
            )
            for st in states
            for a in st["actions"]
        ]
        return cols, rows

    def action_names(self) -> List[str]:
        """Every action name, in first-seen order (the ``action`` coordinate of :meth:`to_xarray`)."""
        seen: dict = {}
        for st in self["states"]:
            for a in st["actions"]:
                seen.setdefault(a["action"], None)
        return list(seen)

    def by_action(self, field: str = "optimal") -> np.ndarray:
        """An (S × actions) array of a per-action field (``optimal``,
        ``optimal_share``, ``successor_power``, ``successor_se``) with one
        column per action *name* (:meth:`action_names`), NaN where the state
        lacks the action; unlike ``result["optimal"]``, whose columns follow
        each state's own action order."""
        pick = _ACTION_FIELDS.get(field)
        if pick is None:
            raise ValueError(f"by_action: unknown field {field!r} (one of {', '.join(_ACTION_FIELDS)})")
        names = {a: k for k, a in enumerate(self.action_names())}
        out = np.full((len(self["states"]), len(names)), np.nan)
        for s, st in enumerate(self["states"]):
            for a in st["actions"]:
                out[s, names[a["action"]]] = pick(a)
        return out

    def grid(self, values: Optional[Sequence[float]] = None) -> np.ndarray:
        """POWER (or other per-state ``values``) on the gridworld's map: a
        (height, width) array, NaN at walls. Only for gridworlds."""
        if not self.get("layout"):
            raise ValueError("grid(): this MDP has no grid layout (it was not loaded from a gridworld)")
        return grid_image(self["layout"], self["power"] if values is None else values)

    def to_xarray(self):
        """A Dataset over ``state`` (names; ``row``/``col`` for gridworlds) and
        ``action`` (names): ``power``, ``se``, ``ci95_low``/``ci95_high``,
        ``tie_probability`` per state; ``available``, ``optimal``,
        ``optimal_share``, ``successor_power``, ``successor_se`` per state and
        action (NaN where the state lacks the action)."""
        xr = require("xarray", "xarray", "PowerResult.to_xarray")
        states = [st["name"] for st in self["states"]]
        est = np.array([_estimate(st["power"]) for st in self["states"]], dtype=float).reshape(-1, 4)
        sa = ("state", "action")
        fields = ("optimal", "optimal_share", "successor_power", "successor_se")
        data = {
            "power": ("state", est[:, 0]),
            "se": ("state", est[:, 1]),
            "ci95_low": ("state", est[:, 2]),
            "ci95_high": ("state", est[:, 3]),
            "tie_probability": ("state", np.asarray([st["tie_probability"] for st in self["states"]], dtype=float)),
        }
        optimal = self.by_action("optimal")
        data["available"] = (sa, ~np.isnan(optimal))
        for f in fields:
            data[f] = (sa, optimal if f == "optimal" else self.by_action(f))
        coords = {"state": states, "action": self.action_names()}
        pos = _layout_coords(self.get("layout"), len(states))
        if pos:
            coords["row"] = ("state", pos[0])
            coords["col"] = ("state", pos[1])
        attrs = _attrs(self, ("gamma", "distribution", "seed", "antithetic", "samples", "target_se", "target_reached"))
        return xr.Dataset(data, coords=coords, attrs=attrs)

    def plot(self, **kwargs):
        """A heatmap on the grid (walls and terminal cells marked) for a
        gridworld, else bars with 95% intervals (see :func:`powerseek.plotting.power`)."""
        from . import plotting

        return plotting.power(self, **kwargs)


# Games ---------------------------------------------------------------------


def _names(actions: Sequence[Sequence[str]], i: int, k: int) -> str:
    return actions[i][k] if i < len(actions) and k < len(actions[i]) else str(k)


class SolveResult(Result):
    """Nash equilibria (``powerseek.solve``), exact. Tables: ``strategies``
    (one row per equilibrium, player, [type,] and action, the probability a
    Fraction) and ``payoffs`` (per equilibrium and player: expected payoff and
    the equilibrium's exact maximal regret, interim for a Bayesian game)."""

    tables = ("strategies", "payoffs")

    def summary(self) -> str:
        kind = "exact" if self.get("exact") else "approximate (regret below)"
        return f"{len(self['equilibria'])} equilibria by {self['method']} ({kind}) of {self.get('title') or 'a game'}"

    def _table(self, name):
        players, actions = self["players"], self["actions"]
        eqs = self["equilibria"]
        if name == "strategies":
            if eqs and "behaviour" in eqs[0]:
                types = self.get("types") or [[str(t) for t in range(len(b))] for b in eqs[0]["behaviour"]]
                cols = ["equilibrium", "player", "type", "action", "probability"]
                rows = [
                    (k, players[i], types[i][t], _names(actions, i, a), p)
                    for k, e in enumerate(eqs)
                    for i, player in enumerate(e["behaviour"])
                    for t, dist in enumerate(player)
                    for a, p in enumerate(dist)
                ]
                return cols, rows
            cols = ["equilibrium", "player", "action", "probability"]
            rows = [
                (k, players[i], _names(actions, i, a), p)
                for k, e in enumerate(eqs)
                for i, s in enumerate(e["strategies"])
                for a, p in enumerate(s)
            ]
            return cols, rows
        cols = ["equilibrium", "player", "payoff", "max_regret"]
        rows = [
            (k, players[i], pay, e.get("max_regret", e.get("max_interim_regret")))
            for k, e in enumerate(eqs)
            for i, pay in enumerate(e.get("payoffs", []))
        ]
        return cols, rows


class GamePowerResult(Result):
    """Multi-agent POWER at each profile (``powerseek.game_power``), exact.
    Tables: ``players`` (per profile and player: POWER, expected payoff, and
    the profile's total POWER, total regret and whether it is an
    equilibrium), ``behaviour`` (per profile, player, type and action) and
    ``types`` (POWER per type; None for types of probability 0)."""

    tables = ("players", "behaviour", "types")

    def summary(self) -> str:
        kind = "Bayesian game" if self.get("bayesian") else "normal-form game"
        return f"multi-agent POWER (exact) at {len(self['profiles'])} profiles of a {kind}"

    def _table(self, name):
        players, actions = self["players"], self["actions"]
        types = self.get("types") or [["-"] for _ in players]
        profiles = self["profiles"]
        if name == "players":
            cols = ["profile", "player", "power", "expected_payoff", "total_power", "total_regret", "is_equilibrium"]
            rows = [
                (p["label"], players[i], q["power"], q["expected_payoff"], p["total_power"], p["total_regret"], p["is_equilibrium"])
                for p in profiles
                for i, q in enumerate(p["players"])
            ]
            return cols, rows
        if name == "behaviour":
            cols = ["profile", "player", "type", "action", "probability"]
            rows = [
                (p["label"], players[i], types[i][t], _names(actions, i, a), x)
                for p in profiles
                for i, b in enumerate(p["behaviour"])
                for t, dist in enumerate(b)
                for a, x in enumerate(dist)
            ]
            return cols, rows
        cols = ["profile", "player", "type", "power"]
        rows = [
            (p["label"], players[i], types[i][t], v)
            for p in profiles
            for i, q in enumerate(p["players"])
            for t, v in enumerate(q["by_type"])
        ]
        return cols, rows

    def to_xarray(self):
        """A Dataset over ``profile`` (labels) and ``player`` (names):
        ``power`` and ``expected_payoff`` as floats (the exact values are in
        the result and in :meth:`to_pandas`), ``total_power``,
        ``total_regret`` and ``is_equilibrium`` per profile."""
        xr = require("xarray", "xarray", "GamePowerResult.to_xarray")
        profiles = self["profiles"]
        pp = ("profile", "player")
        f = lambda key: np.array([[float(q[key]) for q in p["players"]] for p in profiles], dtype=float)  # noqa: E731
        data = {
            "power": (pp, f("power")),
            "expected_payoff": (pp, f("expected_payoff")),
            "total_power": ("profile", np.array([float(p["total_power"]) for p in profiles])),
            "total_regret": ("profile", np.array([float(p["total_regret"]) for p in profiles])),
            "is_equilibrium": ("profile", np.array([bool(p["is_equilibrium"]) for p in profiles])),
        }
        coords = {"profile": [p["label"] for p in profiles], "player": list(self["players"])}
        return xr.Dataset(data, coords=coords, attrs={"exact": "values are Fractions in the result; floats here"})

    def plot(self, **kwargs):
        """Each player's POWER at each profile, as grouped bars (see :func:`powerseek.plotting.game_power`)."""
        from . import plotting

        return plotting.game_power(self, **kwargs)


def _number(x) -> bool:
    return isinstance(x, (Fraction, int, float)) and not isinstance(x, bool)


class AlignmentResult(Result):
    """Every alignment metric (``powerseek.alignment``), exact. Tables:
    ``metrics`` (one row per scalar metric — α, the gap, welfare — and per
    player for the per-player ones: weights, threat point, pure and mixed
    security levels, Nash bargaining payoffs) and ``localized`` (per
    localizing profile and player: sum of utility, coordination gap, surplus)."""

    tables = ("metrics", "localized")

    def summary(self) -> str:
        return f"alignment metrics (exact): α = {self.get('alpha')}"

    def _player(self, i: int) -> str:
        players = self.get("players") or []
        return players[i] if i < len(players) else str(i)

    def _table(self, name):
        if name == "localized":
            cols = ["profile", "player", "sum_of_utility", "coordination_gap", "surplus"]
            rows = [
                (loc["label"], self._player(i), loc.get("sum_of_utility"), loc.get("coordination_gap"), x)
                for loc in self.get("localized") or []
                for i, x in enumerate(loc.get("surplus") or [])
            ]
            return cols, rows
        rows = []
        for key, value in self.items():
            if _number(value):
                rows.append((key, None, value))
            elif isinstance(value, list) and value and all(_number(v) for v in value):
                rows += [(key, self._player(i), v) for i, v in enumerate(value)]
        for i, sec in enumerate(self.get("security") or []):
            rows.append(("security_pure", self._player(i), sec["pure_level"]))
            rows.append(("security_mixed", self._player(i), sec["mixed_level"]))
        nb = self.get("nash_bargaining")
        if nb:
            pays = nb.get("exact_payoffs") or nb.get("payoffs") or []
            rows += [("nash_bargaining", self._player(i), v) for i, v in enumerate(pays)]
            rows.append(("nash_bargaining_product", None, nb.get("product")))
        return ["metric", "player", "value"], rows


class OrbitResult(Result):
    """Orbit tendencies of decision-makers (``retarget_orbit``,
    ``retarget_mdp``). Table ``tendencies``: one row per decision-maker with
    the counts of permutations where B is more likely than A (``b_more``),
    as likely (``equal``) and less likely (``a_more``), the fraction
    ``b_more / total``, its 95% Wilson interval when sampled, and whether
    ``B ≥_most A`` holds."""

    tables = ("tendencies",)

    def _rows_key(self) -> str:
        return "results" if "results" in self else "worst_orbit"

    def summary(self) -> str:
        rows = self[self._rows_key()]
        how = "whole orbits" if self.get("samples") is None else f"{self['samples']} sampled permutations per orbit"
        return f"orbit tendencies of {len(rows)} decision-makers ({how})"

    def _table(self, name):
        cols = ["decision", "b_more", "equal", "a_more", "total", "fraction", "ci95_low", "ci95_high", "holds"]
        rows = []
        for r in self[self._rows_key()]:
            lo, hi = r["ci95"] if r.get("ci95") else (None, None)
            rows.append((r["decision"], r["b_more"], r["equal"], r["a_more"], r["total"], r["fraction"], lo, hi, r["holds"]))
        return cols, rows

    def plot(self, **kwargs):
        """Stacked bars of B more likely / as likely / less likely per decision-maker (see :func:`powerseek.plotting.orbit`)."""
        from . import plotting

        return plotting.orbit(self, **kwargs)


class LearnedResult(Result):
    """Q-learners' first moves (``retarget_learned``). Table ``first_moves``:
    how many agents moved ``b``, ``a`` or otherwise first, and what share of
    all agents that is; ``result["result"]`` has ``fraction_b`` (among those
    that chose ``a`` or ``b``) with its 95% Wilson interval."""

    tables = ("first_moves",)

    def summary(self) -> str:
        r = self["result"]
        lo, hi = r["ci95"]
        return (
            f"{r['agents']} Q-learners at {self['state']}: '{self['b']}' over '{self['a']}' "
            f"{r['fraction_b']:.3f} (95% CI {lo:.3f}–{hi:.3f})"
        )

    def _table(self, name):
        r = self["result"]
        n = max(r["agents"], 1)
        moves = [(self["b"], r["chose_b"]), (self["a"], r["chose_a"]), ("other", r["chose_other"])]
        return ["first_move", "agents", "share"], [(m, k, k / n) for m, k in moves]

    def plot(self, **kwargs):
        """The share of agents making each first move, with the 95% interval of ``b``'s (see :func:`powerseek.plotting.learned`)."""
        from . import plotting

        return plotting.learned(self, **kwargs)


class TrainedResult(Result):
    """A trainer's first moves over reward orbits (``trained_tendency``).
    Table ``orbits``: per orbit, how many rewards made the trained first move
    likelier ``b``, equally likely or likelier ``a``, the share with ``b``
    likelier and its 95% Wilson interval (sampled orbits); ``self["worst"]``
    indexes the worst orbit."""

    tables = ("orbits",)

    def summary(self) -> str:
        w = self["orbits"][self["worst"]]
        ci = w.get("ci95")
        interval = f" (95% CI {ci[0]:.3f}–{ci[1]:.3f})" if ci else ""
        return (
            f"{self['trainer']} trained {self['trained']} times at {self['state']}: worst of "
            f"{len(self['orbits'])} orbits '{self['b']}' over '{self['a']}' {w['fraction']:.3f}{interval}"
        )

    def _table(self, name):
        rows = []
        for k, o in enumerate(self["orbits"]):
            lo, hi = o["ci95"] if o.get("ci95") else (None, None)
            rows.append((k, o["b_more"], o["equal"], o["a_more"], o["fraction"], lo, hi, o["holds"]))
        return ["orbit", "b_more", "equal", "a_more", "fraction", "ci95_low", "ci95_high", "holds"], rows


class CompatibleResult(Result):
    """Training-compatible goals (``training_compatible``). Table
    ``estimates``: the acceptance rate, the probability of the power-seeking
    choice given the training behaviour, and under the prior alone, each
    with its standard error and 95% Wilson interval."""

    tables = ("estimates",)

    def summary(self) -> str:
        p, q = self["power_seeking"], self["prior_power_seeking"]
        return (
            f"P('{self['b']}' over '{self['a']}' at {self['state']} | compatible) = {p['estimate']:.4f} ± {p['se']:.4f} "
            f"(prior {q['estimate']:.4f}; acceptance {self['acceptance']['estimate']:.4f})"
        )

    def _table(self, name):
        rows = [
            (key, p["successes"], p["trials"], p["estimate"], p["se"], p["ci95"][0], p["ci95"][1])
            for key in ("acceptance", "power_seeking", "prior_power_seeking")
            for p in [self[key]]
        ]
        return ["quantity", "successes", "trials", "estimate", "se", "ci95_low", "ci95_high"], rows


# Scarcity --------------------------------------------------------------------

_SCARCITY_METRICS = ("total_power", "best_case_power", "max_welfare", "alpha", "coordination_gap")


class ScarcityResult(Result):
    """The power-scarcity sweep over λ (``powerseek.scarcity``). Tables:
    ``summaries`` (one row per λ and metric: mean over games, standard error,
    95% interval) and ``games`` (one row per game drawn)."""

    tables = ("summaries", "games")

    def metrics(self) -> List[str]:
        """The summarised metrics present in the report."""
        first = self["summaries"][0] if self["summaries"] else {}
        return [m for m in _SCARCITY_METRICS if m in first]

    def summary(self) -> str:
        lams = [s["lambda"] for s in self["summaries"]]
        games = self["summaries"][0]["games"] if lams else 0
        return f"power scarcity at {len(lams)} values of λ, {games} games each (Monte Carlo over games: mean ± se)"

    def _table(self, name):
        if name == "summaries":
            cols = ["lambda", "metric", *_EST, "games"]
            rows = [(s["lambda"], m, *_estimate(s[m]), s["games"]) for s in self["summaries"] for m in self.metrics()]
            return cols, rows
        games = self.get("games") or []
        cols = sorted({k for g in games for k, v in g.items() if not isinstance(v, (list, dict))})
        return cols, [tuple(g.get(c) for c in cols) for g in games]

    def to_xarray(self):
        """A Dataset over ``lambda`` and ``metric``: ``mean``, ``se``,
        ``ci95_low``, ``ci95_high``; ``mean_equilibria`` per λ."""
        xr = require("xarray", "xarray", "ScarcityResult.to_xarray")
        ms = self.metrics()
        arr = np.array([[_estimate(s[m]) for m in ms] for s in self["summaries"]], dtype=float).reshape(-1, len(ms), 4)
        lm = ("lambda", "metric")
        data = {k: (lm, arr[:, :, j]) for j, k in enumerate(_EST)}
        data["mean_equilibria"] = ("lambda", np.array([s.get("mean_equilibria", np.nan) for s in self["summaries"]], dtype=float))
        coords = {"lambda": [s["lambda"] for s in self["summaries"]], "metric": ms}
        return xr.Dataset(data, coords=coords)

    def plot(self, **kwargs):
        """Each metric against λ with its 95% band (see :func:`powerseek.plotting.scarcity`)."""
        from . import plotting

        return plotting.scarcity(self, **kwargs)


# Two agents on a grid ------------------------------------------------------------

AGENTS = ("H", "A")


class TwoAgentResult(Result):
    """Both agents' POWER at one reward correlation (``sequential_power``).
    Tables: ``joint_states`` (one row per agent and joint state: both agents'
    cells, POWER, standard error) and ``cells`` (per agent and grid cell:
    POWER averaged over the other agent's positions, with row and column)."""

    tables: Tuple[str, ...] = ("joint_states", "cells")

    def summary(self) -> str:
        return (
            f"two agents' POWER on {len(self['cells'])} cells ({self['joint_states']} joint states), "
            f"ρ = {self['rho']}, {self['samples']} samples (Monte Carlo: mean ± se)"
        )

    def _stack(self, key: str) -> np.ndarray:
        """A numpy field with a leading ρ axis (one ρ here; a sweep has its own)."""
        return np.asarray(self[key], dtype=float)[None, ...]

    def _rhos(self) -> List[float]:
        return [self["rho"]]

    def _joint_rows(self, k: int, prefix: tuple = ()) -> Rows:
        cells, pos, names = self["cells"], self["positions"], self["state_names"]
        power, se = self._stack("power")[k], self._stack("se")[k]
        return [
            (*prefix, AGENTS[i], names[s], cells[pos[s][0]], cells[pos[s][1]], float(power[i, s]), float(se[i, s]))
            for i in range(2)
            for s in range(len(names))
        ]

    def _cell_rows(self, k: int, prefix: tuple = ()) -> Rows:
        cells = self["cells"]
        xy = _layout_coords(self.get("layout"), len(cells))
        per_cell = self._stack("per_cell")[k]
        return [
            (*prefix, AGENTS[i], c, *((int(xy[0][j]), int(xy[1][j])) if xy else (None, None)), float(per_cell[i, j]))
            for i in range(2)
            for j, c in enumerate(cells)
        ]

    def _table(self, name):
        if name == "joint_states":
            return ["agent", "joint_state", "H_cell", "A_cell", "power", "se"], self._joint_rows(0)
        return ["agent", "cell", "row", "col", "power"], self._cell_rows(0)

    def _dataset(self, rho_dim: bool):
        xr = require("xarray", "xarray", f"{type(self).__name__}.to_xarray")
        cells = self["cells"]
        dims = {
            "power": ("agent", "joint_state"),
            "se": ("agent", "joint_state"),
            "per_cell": ("agent", "cell"),
            "total": ("joint_state",),
            "total_se": ("joint_state",),
            "mean_power": ("agent",),
            "mean_power_se": ("agent",),
            "mean_total": (),
            "mean_total_se": (),
            "reward_correlation": (),
            "power_correlation": (),
        }
        lead = ("rho",) if rho_dim else ()
        data = {}
        for key, d in dims.items():
            arr = self._stack(key)
            data[key] = ((*lead, *d), arr if rho_dim else arr[0])
        pos = np.asarray(self["positions"], dtype=int).reshape(-1, 2)
        coords: dict = {
            "agent": list(AGENTS),
            "joint_state": list(self["state_names"]),
            "cell": list(cells),
            "H_cell": ("joint_state", [cells[k] for k in pos[:, 0]]),
            "A_cell": ("joint_state", [cells[k] for k in pos[:, 1]]),
        }
        if rho_dim:
            coords["rho"] = self._rhos()
        xy = _layout_coords(self.get("layout"), len(cells))
        if xy:
            coords["row"] = ("cell", xy[0])
            coords["col"] = ("cell", xy[1])
        attrs = _attrs(self, ("turns", "no_overlap", "noise", "other", "reward_on", "seed", "tolerance", "samples"))
        if not rho_dim:
            attrs["rho"] = self["rho"]
        return xr.Dataset(data, coords=coords, attrs=attrs)

    def to_xarray(self):
        """A Dataset over ``agent`` (H, A), ``joint_state`` (names, with
        ``H_cell``/``A_cell``) and ``cell`` (with ``row``/``col``): ``power``,
        ``se``, ``per_cell``, ``total``, ``mean_power``, ``mean_total`` (with
        ``_se``) and the achieved correlations."""
        return self._dataset(rho_dim=False)

    def plot(self, **kwargs):
        """Both agents' POWER per cell, side by side on the grid (see :func:`powerseek.plotting.two_agents`)."""
        from . import plotting

        return plotting.two_agents(self, **kwargs)


class FocalResult(Result):
    """The focal agent's POWER against random others (``sequential_power``
    with more than two agents). Tables: ``joint_states`` (every agent's cell
    and the focal agent's POWER) and ``cells`` (per cell of the focal agent)."""

    tables = ("joint_states", "cells")

    def summary(self) -> str:
        return (
            f"agent {self['focal']}'s POWER among {self['agents']} agents on {len(self['cells'])} cells, "
            f"{self['samples']} samples (Monte Carlo: mean ± se)"
        )

    def _table(self, name):
        cells = self["cells"]
        if name == "joint_states":
            cols = [f"cell_{i}" for i in range(self["agents"])] + ["power", "se"]
            power, se = np.asarray(self["power"], dtype=float), np.asarray(self["se"], dtype=float)
            rows = [(*[cells[c] for c in pos], float(power[k]), float(se[k])) for k, pos in enumerate(self["positions"])]
            return cols, rows
        xy = _layout_coords(self.get("layout"), len(cells))
        rows = [(c, *((int(xy[0][k]), int(xy[1][k])) if xy else (None, None)), v) for k, (c, v) in enumerate(zip(cells, self["per_cell"]))]
        return ["cell", "row", "col", "power"], rows

    def plot(self, **kwargs):
        """The focal agent's POWER per cell on the grid (see :func:`powerseek.plotting.focal`)."""
        from . import plotting

        return plotting.focal(self, **kwargs)


class RhoSweepResult(TwoAgentResult):
    """Both agents' POWER at each ρ (``rho_sweep``). Tables: ``summary`` (per
    ρ and series H, A, H+A: mean POWER over joint states with standard error
    and 95% interval, and the achieved reward and POWER correlations),
    ``joint_states`` and ``cells`` as for one ρ, with a ``rho`` column."""

    tables = ("summary", "joint_states", "cells")

    def summary(self) -> str:
        return (
            f"two agents' POWER at {len(self['points'])} values of ρ on {len(self['cells'])} cells, "
            f"{self['samples']} samples per ρ (Monte Carlo: mean ± se)"
        )

    def _table(self, name):
        points = self["points"]
        if name == "summary":
            cols = ["rho", "series", *_EST, "reward_correlation", "power_correlation"]
            rows = []
            for p in points:
                series = [("H", p["mean_power"][0]), ("A", p["mean_power"][1]), ("H+A", p["mean_total"])]
                rows += [(p["rho"], label, *_estimate(e), p["reward_correlation"], p["power_correlation"]) for label, e in series]
            return cols, rows
        if name == "joint_states":
            cols = ["rho", "agent", "joint_state", "H_cell", "A_cell", "power", "se"]
            return cols, [r for k, p in enumerate(points) for r in self._joint_rows(k, (p["rho"],))]
        cells = [r for k, p in enumerate(points) for r in self._cell_rows(k, (p["rho"],))]
        return ["rho", "agent", "cell", "row", "col", "power"], cells

    def _stack(self, key: str) -> np.ndarray:
        return np.asarray(self[key], dtype=float)

    def _rhos(self) -> List[float]:
        return [p["rho"] for p in self["points"]]

    def to_xarray(self):
        """:meth:`TwoAgentResult.to_xarray` with a leading ``rho`` dimension."""
        return self._dataset(rho_dim=True)

    def plot(self, **kwargs):
        """Mean POWER of H, A and their sum against ρ with 95% bands (see :func:`powerseek.plotting.rho_sweep`)."""
        from . import plotting

        return plotting.rho_sweep(self, **kwargs)


# Conflict ------------------------------------------------------------------------


class ConflictTrace(Result):
    """A played-out conflict scenario (``conflict_simulate``). Tables:
    ``initial`` (each agent's power and first assessment: target, alignment,
    expected gain, escalation probability) and ``events`` (one row per fight,
    with every agent's power after it)."""

    tables = ("initial", "events")

    def agents(self) -> List[str]:
        """The agents' names, in the scenario's order."""
        return [a["agent"] for a in self["initial"]]

    def summary(self) -> str:
        how = "settled" if self.get("settled") else "not settled"
        return f"conflict among {len(self['initial'])} agents: {len(self['events'])} fights in {self['rounds_played']} rounds ({how})"

    def _table(self, name):
        if name == "initial":
            cols = ["agent", "power", "value", "target", "alignment", "gain", "escalation_probability"]
            powers = self.get("initial_powers") or [None] * len(self["initial"])
            return cols, [(a["agent"], p, *(a.get(c) for c in cols[2:])) for a, p in zip(self["initial"], powers)]
        cols = ["round", "attacker", "defender", "attacker_won"] + [f"power_{a}" for a in self.agents()]
        rows = [(e["round"], e["attacker"], e["defender"], e["attacker_won"], *e["powers_after"]) for e in self["events"]]
        return cols, rows

    def plot(self, **kwargs):
        """The agents as arrows (preference × power) and their power after each fight (see :func:`powerseek.plotting.conflict_trace`)."""
        from . import plotting

        return plotting.conflict_trace(self, **kwargs)


class _FieldResult(Result):
    """A field over alignment × cost (phase diagrams, posteriors)."""

    _fields: Tuple[str, ...] = ()
    tables = ("grid",)

    def _table(self, name):
        al, co = self["alignments"], self["costs"]
        cols = ["alignment", "cost", *self._fields]
        flat = [np.asarray(self[f], dtype=float).ravel() for f in self._fields]
        rows = [(al[k % len(al)], co[k // len(al)], *(float(f[k]) for f in flat)) for k in range(len(al) * len(co))]
        return cols, rows

    def to_xarray(self):
        """A Dataset over ``cost`` and ``alignment`` of the result's fields."""
        xr = require("xarray", "xarray", f"{type(self).__name__}.to_xarray")
        shape = (len(self["costs"]), len(self["alignments"]))
        data = {f: (("cost", "alignment"), np.asarray(self[f], dtype=float).reshape(shape)) for f in self._fields}
        return xr.Dataset(data, coords={"cost": list(self["costs"]), "alignment": list(self["alignments"])})


class PhaseResult(_FieldResult):
    """The escalation phase diagram (``conflict_phase``): ``probability`` and
    ``gain`` over (cost × alignment), and the ``boundary`` where the expected
    gain is 0. Table ``grid``: one row per (alignment, cost)."""

    _fields = ("probability", "gain")

    def summary(self) -> str:
        return f"escalation phase diagram, power ratio {self['power_ratio']:.4g}, {len(self['costs'])} × {len(self['alignments'])} grid"

    def plot(self, **kwargs):
        """P(escalate) over alignment × cost with the zero-gain boundary (see :func:`powerseek.plotting.conflict_phase`)."""
        from . import plotting

        return plotting.conflict_phase(self, **kwargs)


class PosteriorResult(_FieldResult):
    """The posterior over alignment and perceived cost (``conflict_infer``):
    ``density`` over (cost × alignment), marginal ``alignment`` and ``cost``
    summaries (mean, sd, 90% interval) and the ``map`` point. Table ``grid``:
    one row per (alignment, cost)."""

    _fields = ("density",)

    def summary(self) -> str:
        a, c = self["alignment"], self["cost"]
        return (
            f"posterior from {self['decisions']} decisions ({self['escalations']} escalations): "
            f"alignment {a['mean']:.3f} ± {a['sd']:.3f}, cost {c['mean']:.3f} ± {c['sd']:.3f}"
        )

    def plot(self, **kwargs):
        """The posterior density with the MAP point and the truth when simulated (see :func:`powerseek.plotting.conflict_posterior`)."""
        from . import plotting

        return plotting.conflict_posterior(self, **kwargs)


class CalibrationResult(Result):
    """Coverage of 90% credible intervals (``conflict_calibrate``). Table
    ``coverage``: per quantity, the coverage and the binomial standard
    deviation to judge it by."""

    tables = ("coverage",)

    def summary(self) -> str:
        return f"calibration over {self['replicates']} replicates of {self['episodes']} decisions"

    def _table(self, name):
        sd = self["binomial_sd"]
        return ["quantity", "coverage", "nominal", "binomial_sd"], [
            ("alignment", self["alignment_coverage"], 0.9, sd),
            ("cost", self["cost_coverage"], 0.9, sd),
        ]
