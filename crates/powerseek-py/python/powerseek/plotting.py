"""Pictures of results as matplotlib figures: the CLI's ``--plot`` figures,
drawn from the result objects (:mod:`powerseek.results`) in Python.

Every function takes a result (as returned by :func:`powerseek.power`,
:func:`powerseek.rho_sweep`, ...), draws on ``ax`` when given, and returns the
:class:`Figure`; ``result.plot()`` calls the matching one. Figures are made
without pyplot (nothing global, nothing left open), display themselves in
Jupyter (``_repr_svg_``, or ``_repr_png_`` after ``display_format = "png"``)
and save with ``fig.savefig("out.png")``.

Grid heatmaps place each state at the row and column the report's
``layout`` gives (walls dark, terminal cells marked ``T``, cells without a
value hatched); they never parse state names.

Needs matplotlib (``pip install 'powerseek[plot]'``).
"""

from __future__ import annotations

import io
from typing import Optional, Sequence

import numpy as np

from .results import require

require("matplotlib", "plot", "powerseek.plotting")

from matplotlib.figure import Figure as _MplFigure  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from .results import AGENTS, grid_image  # noqa: E402

__all__ = [
    "Figure",
    "display_format",
    "power",
    "grid_heatmap",
    "estimate_bars",
    "orbit",
    "learned",
    "scarcity",
    "rho_sweep",
    "two_agents",
    "focal",
    "game_power",
    "conflict_phase",
    "conflict_posterior",
    "conflict_arrows",
    "conflict_trace",
]

#: How figures show themselves in Jupyter: ``"svg"`` (default) or ``"png"``.
display_format = "svg"

WALL_COLOR = "#3a3a3a"
BLUE, GREEN, RED, PURPLE, GREY = "#1f5ac8", "#28963c", "#d22828", "#9650b4", "#a0a0a0"


class Figure(_MplFigure):
    """A matplotlib figure that shows itself in Jupyter (as SVG, or PNG after
    ``powerseek.plotting.display_format = "png"``)."""

    def _repr_svg_(self) -> Optional[str]:
        if display_format != "svg":
            return None
        buf = io.StringIO()
        self.savefig(buf, format="svg")
        return buf.getvalue()

    def _repr_png_(self) -> Optional[bytes]:
        if display_format != "png":
            return None
        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=100)
        return buf.getvalue()


def _axes(ax, figsize=(6.4, 4.8)):
    """``ax`` and its figure, or a new :class:`Figure` with one axes."""
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _grid_size(layout) -> tuple:
    """Inches for a grid's heatmap: half an inch a cell, at most 9 × 7 inches."""
    w, h = layout["width"], layout["height"]
    scale = min(1.0, 7.5 / max(0.5 * w, 1e-9), 6.0 / max(0.5 * h, 1e-9))
    return (max(3.0, 0.5 * w * scale + 1.5), max(2.5, 0.5 * h * scale + 1.0))


def grid_heatmap(layout, values: Sequence[float], ax=None, title: str = "", label: str = "POWER", cmap: str = "viridis"):
    """``values`` (one per state, in the order of ``layout["positions"]``) as
    a heatmap on the grid: walls dark, terminal cells marked ``T``, states
    without a value (None or NaN) hatched; rows and columns as in the file."""
    fig, ax = _axes(ax, figsize=_grid_size(layout))
    image = grid_image(layout, [np.nan if v is None else v for v in values])
    walls = np.array([[ch == "#" for ch in row] for row in layout["rows"]], dtype=bool)
    missing = np.isnan(image) & ~walls
    im = ax.imshow(np.ma.masked_invalid(image), cmap=cmap, interpolation="nearest")
    ax.imshow(np.ma.masked_where(~walls, walls.astype(float)), cmap=ListedColormap([WALL_COLOR]), interpolation="nearest")
    for r, c in zip(*np.nonzero(missing)):
        ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, hatch="//", edgecolor=GREY, linewidth=0))
    for r, row in enumerate(layout["rows"]):
        for c, ch in enumerate(row):
            if ch == "T":
                ax.text(c, r, "T", ha="center", va="center", color="white", fontsize=9, fontweight="bold")
    fig.colorbar(im, ax=ax, label=label, shrink=0.9)
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    ax.set_title(title)
    return fig


def estimate_bars(names: Sequence[str], means, lows, highs, ax=None, title: str = "", label: str = "POWER (95% CI)"):
    """Horizontal bars of ``means`` with 95% intervals ``[lows, highs]``, one per name (first at the top)."""
    n = len(names)
    fig, ax = _axes(ax, figsize=(6.4, max(2.0, 0.28 * n + 1.2)))
    means, lows, highs = (np.asarray(x, dtype=float) for x in (means, lows, highs))
    y = np.arange(n)
    ax.barh(y, means, color=BLUE, xerr=[means - lows, highs - means], ecolor="black", capsize=2)
    ax.set_yticks(y, list(names))
    ax.invert_yaxis()
    ax.set_xlabel(label)
    ax.set_title(title)
    return fig


def _power_title(r) -> str:
    return f"POWER (γ = {r['gamma']}, {r['distribution']}, n = {r['samples']})"


def power(result, ax=None, title: Optional[str] = None, cmap: str = "viridis"):
    """POWER of every state: a heatmap on the grid for a gridworld (walls and
    terminal cells marked), else bars with 95% intervals (like ``powerseek
    power --plot``)."""
    title = _power_title(result) if title is None else title
    if result.get("layout"):
        return grid_heatmap(result["layout"], result["power"], ax=ax, title=title, label="POWER", cmap=cmap)
    states = result["states"]
    est = np.array([[s["power"]["mean"], *s["power"]["ci95"]] for s in states], dtype=float).reshape(-1, 3)
    return estimate_bars([s["name"] for s in states], est[:, 0], est[:, 1], est[:, 2], ax=ax, title=title)


def orbit(result, ax=None, title: Optional[str] = None):
    """Per decision-maker, the share of the orbit where B is more likely than
    A, as likely, and less likely (stacked), with the 95% interval of the
    first when permutations were sampled (like ``powerseek retarget orbit --plot``)."""
    rows = result.rows("tendencies")
    n = len(rows)
    fig, ax = _axes(ax, figsize=(6.4, max(2.0, 0.4 * n + 1.4)))
    y = np.arange(n)
    total = np.array([max(r[4], 1) for r in rows], dtype=float)
    b, eq, a = (np.array([r[k] for r in rows], dtype=float) / total for k in (1, 2, 3))
    ax.barh(y, b, color=BLUE, label="B more likely")
    ax.barh(y, eq, left=b, color=GREY, label="as likely")
    ax.barh(y, a, left=b + eq, color=RED, label="A more likely")
    for k, r in enumerate(rows):
        if r[6] is not None:
            ax.errorbar([r[5]], [k], xerr=[[r[5] - r[6]], [r[7] - r[5]]], color="black", capsize=3)
    ax.set_yticks(y, [r[0] for r in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("fraction of the orbit")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.6 / max(n, 1)), ncol=3, fontsize="small")
    if title is None:
        title = f"Orbit tendencies: B = {result.get('b')} versus A = {result.get('a')} (outcomes from 0)"
    ax.set_title(title)
    return fig


def learned(result, ax=None, title: Optional[str] = None):
    """The share of Q-learners whose first move is ``b``, ``a`` or another,
    with the 95% interval of ``b``'s share (like ``powerseek retarget learned --plot``)."""
    rows = result.rows("first_moves")
    r = result["result"]
    n = max(r["agents"], 1)
    decided = max(r["chose_a"] + r["chose_b"], 1)
    lo, hi = (x * decided / n for x in r["ci95"])
    share = [row[2] for row in rows]
    if title is None:
        title = f"{r['agents']} Q-learners' first moves ('{result['b']}' over '{result['a']}': {r['fraction_b']:.3f})"
    names = [f"'{rows[0][0]}'", f"'{rows[1][0]}'", rows[2][0]]
    return estimate_bars(names, share, [lo, share[1], share[2]], [hi, share[1], share[2]], ax=ax, title=title, label="fraction of agents")


def _bands(ax, x, series, xlabel: str, ylabel: str, title: str):
    """Lines with 95% bands: ``series`` is [(label, colour, means, lows, highs)]."""
    for label, color, mean, lo, hi in series:
        ax.plot(x, mean, color=color, label=label, marker="o", markersize=3)
        ax.fill_between(x, lo, hi, color=color, alpha=0.25, linewidth=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize="small")


_SCARCITY_SERIES = [
    ("total_power", "Σ POWER at equilibrium", BLUE),
    ("best_case_power", "best-case Σ POWER", GREEN),
    ("max_welfare", "max welfare", PURPLE),
    ("alpha", "α (alignment)", RED),
]


def scarcity(result, ax=None, title: Optional[str] = None):
    """The power-scarcity sweep: Σ POWER at equilibrium, best-case Σ POWER,
    max welfare and α against λ with 95% bands (like ``powerseek experiment scarcity --plot``)."""
    fig, ax = _axes(ax)
    s = result["summaries"]
    lam = [x["lambda"] for x in s]
    series = [
        (label, color, [x[key]["mean"] for x in s], [x[key]["ci95"][0] for x in s], [x[key]["ci95"][1] for x in s])
        for key, label, color in _SCARCITY_SERIES
        if s and key in s[0]
    ]
    games = s[0]["games"] if s else 0
    _bands(
        ax,
        lam,
        series,
        "λ (−1 constant-sum … 0 independent … 1 common payoff)",
        "mean over games (95% CI)",
        f"Power scarcity ({games} games per λ)" if title is None else title,
    )
    return fig


def rho_sweep(result, ax=None, title: Optional[str] = None):
    """Mean POWER over joint states of H, A and H + A against ρ with 95%
    bands (like ``powerseek multi sweep --plot``)."""
    fig, ax = _axes(ax)
    points = result["points"]
    rho = [p["rho"] for p in points]

    def band(label, color, pick):
        es = [pick(p) for p in points]
        return label, color, [e["mean"] for e in es], [e["ci95"][0] for e in es], [e["ci95"][1] for e in es]

    series = [
        band("POWER_H + POWER_A", BLUE, lambda p: p["mean_total"]),
        band("POWER_H", GREEN, lambda p: p["mean_power"][0]),
        band("POWER_A", RED, lambda p: p["mean_power"][1]),
    ]
    _bands(
        ax,
        rho,
        series,
        "ρ (reward correlation: −1 opposed … 1 identical)",
        "mean POWER over joint states (95% CI)",
        f"Two agents, other = {result.get('other')}" if title is None else title,
    )
    return fig


def two_agents(result, rho: Optional[float] = None, axes=None):
    """H's and A's POWER per cell (averaged over the other's positions, or at
    ``other_at``), side by side on the grid; for a ρ sweep, at the swept ρ
    nearest ``rho`` (default the first)."""
    layout = result.get("layout")
    if not layout:
        raise ValueError("two_agents: the report has no grid layout")
    point = result
    if "points" in result:
        points = result["points"]
        k = 0 if rho is None else int(np.argmin([abs(p["rho"] - rho) for p in points]))
        point = points[k]
    if axes is None:
        w, h = _grid_size(layout)
        fig = Figure(figsize=(2 * w, h), layout="constrained")
        axes = fig.subplots(1, 2)
    else:
        fig = axes[0].figure
    where = "averaged over the other's cells" if not result.get("other_at") else f"other at {result['other_at']}"
    for i, ax in enumerate(axes):
        grid_heatmap(layout, point["per_cell"][i], ax=ax, title=f"{AGENTS[i]}'s POWER, ρ = {point['rho']:g}", label=f"POWER_{AGENTS[i]}")
    fig.suptitle(where, fontsize="small")
    return fig


def focal(result, ax=None, title: Optional[str] = None):
    """The focal agent's POWER per cell (mean over the others' positions) on the grid."""
    layout = result.get("layout")
    if not layout:
        raise ValueError("focal: the report has no grid layout")
    if title is None:
        title = f"Agent {result['focal']}'s POWER with {result['agents'] - 1} random others (γ = {result['gamma']})"
    return grid_heatmap(layout, result["per_cell"], ax=ax, title=title)


def game_power(result, ax=None, title: Optional[str] = None):
    """Each player's multi-agent POWER at each profile as grouped bars (exact
    values drawn as floats); profiles that are equilibria are marked ``*``."""
    fig, ax = _axes(ax)
    profiles, players = result["profiles"], result["players"]
    n = max(len(players), 1)
    width = 0.8 / n
    x = np.arange(len(profiles))
    colors = [BLUE, RED, GREEN, PURPLE, GREY]
    for i, name in enumerate(players):
        ax.bar(x + (i - (n - 1) / 2) * width, [float(p["players"][i]["power"]) for p in profiles], width, label=name, color=colors[i % 5])
    ax.set_xticks(x, [p["label"] + (" *" if p["is_equilibrium"] else "") for p in profiles], rotation=20, ha="right")
    ax.set_ylabel("POWER")
    ax.set_title("Multi-agent POWER (* = equilibrium)" if title is None else title)
    ax.legend(fontsize="small")
    return fig


def _field(ax, result, key: str, label: str):
    al, co = result["alignments"], result["costs"]
    values = np.asarray(result[key], dtype=float).reshape(len(co), len(al))
    im = ax.pcolormesh(al, co, values, shading="nearest", cmap="viridis")
    ax.figure.colorbar(im, ax=ax, label=label)
    return im


def conflict_phase(result, ax=None, title: Optional[str] = None):
    """P(escalate) of the weaker agent over alignment × cost, with the curve
    where the expected gain is 0 (like ``powerseek conflict phase --plot``)."""
    fig, ax = _axes(ax)
    _field(ax, result, "probability", "P(escalate)")
    if result.get("boundary"):
        b = np.asarray(result["boundary"], dtype=float)
        ax.plot(b[:, 0], b[:, 1], color="white", linestyle="--", label="expected gain = 0")
        ax.legend(fontsize="small")
    ax.set_xlabel("alignment cos(u_weak, u_strong)")
    ax.set_ylabel("conflict cost c")
    ax.set_title(f"Weaker agent escalates (power ratio {result['power_ratio']:.2f})" if title is None else title)
    return fig


def conflict_posterior(result, ax=None, title: Optional[str] = None):
    """The posterior mass over alignment × perceived cost, with its MAP point
    and the truth when it was simulated (like ``powerseek conflict infer --plot``)."""
    fig, ax = _axes(ax)
    _field(ax, result, "density", "posterior mass")
    ax.plot(*result["map"], marker="x", color="white", linestyle="none", markersize=9, label="MAP")
    if result.get("truth"):
        ax.plot(*result["truth"], marker="*", color=RED, linestyle="none", markersize=12, label="truth")
    ax.legend(fontsize="small")
    ax.set_xlabel("alignment")
    ax.set_ylabel("perceived conflict cost")
    ax.set_title(f"Posterior over alignment and cost ({result['decisions']} decisions)" if title is None else title)
    return fig


def conflict_arrows(result, ax=None, title: Optional[str] = None):
    """Each agent's power-scaled preference before the first round, in the
    plane of the first two agents' directions, labelled with what it decides;
    dashed: the strongest agent projected onto the first other agent's
    direction (like ``powerseek conflict simulate --plot``)."""
    fig, ax = _axes(ax, figsize=(6.0, 5.0))
    plane = np.asarray(result["plane"], dtype=float).reshape(-1, 2)
    powers = result["initial_powers"]
    colors = [BLUE, RED, GREEN, PURPLE, "#e68c14", "#5a5a5a"]
    for i, (a, (x, y)) in enumerate(zip(result["initial"], plane)):
        verb = "escalates against" if a["escalation_probability"] > 0.5 else "stays; would not fight"
        label = f"{a['agent']} (power {powers[i]:.2f}): {verb} {a.get('target') or '-'}, gain {a['gain']:+.3f}"
        ax.annotate("", xy=(x, y), xytext=(0, 0), arrowprops=dict(arrowstyle="-|>", color=colors[i % 6], linewidth=2))
        ax.plot([x], [y], color=colors[i % 6], marker="", linestyle="none", label=label)
        ax.text(x, y, f" {a['agent']}", color=colors[i % 6], va="bottom")
    strongest = int(np.argmax(powers))
    onto = 1 if strongest == 0 else 0
    d = plane[onto] / max(np.linalg.norm(plane[onto]), 1e-12)
    v = plane[strongest]
    foot = (v @ d) * d
    ax.plot([v[0], foot[0]], [v[1], foot[1]], color=GREY, linestyle="--")
    xs, ys = np.append(plane[:, 0], [0.0, foot[0]]), np.append(plane[:, 1], [0.0, foot[1]])
    pad = 0.12 * max(np.ptp(xs), np.ptp(ys), 1e-9)
    ax.set_xlim(xs.min() - pad, xs.max() + pad)
    ax.set_ylim(ys.min() - pad, ys.max() + pad)
    ax.set_aspect("equal", adjustable="box")
    ax.axhline(0, color="black", linewidth=0.5)
    ax.axvline(0, color="black", linewidth=0.5)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), fontsize="small", handlelength=0)
    ax.set_title("Preferences × power" if title is None else title)
    return fig


def conflict_trace(result, axes=None):
    """A played-out scenario: the agents as arrows before the first round
    (:func:`conflict_arrows`) and every agent's power after each fight."""
    if axes is None:
        fig = Figure(figsize=(12.0, 5.5), layout="constrained")
        axes = fig.subplots(1, 2)
    else:
        fig = axes[0].figure
    conflict_arrows(result, ax=axes[0])
    ax = axes[1]
    events = result["events"]
    names = [a["agent"] for a in result["initial"]]
    powers = np.array([result["initial_powers"]] + [e["powers_after"] for e in events], dtype=float)
    x = np.arange(len(powers))
    for i, name in enumerate(names):
        ax.step(x, powers[:, i], where="post", marker="o", markersize=3, label=name)
    ax.set_xlabel("fight (0: before the first round)")
    ax.set_ylabel("power")
    ax.set_title(f"{len(events)} fights in {result['rounds_played']} rounds ({'settled' if result['settled'] else 'not settled'})")
    ax.legend(fontsize="small")
    return fig
