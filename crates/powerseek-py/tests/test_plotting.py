"""Pictures from result objects, rendered headless: each figure's axes,
labels and drawn data are those of the result it was made from."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection, QuadMesh  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

import powerseek  # noqa: E402
from powerseek import plotting  # noqa: E402
from conftest import EXAMPLES  # noqa: E402


def main_axes(fig):
    """The figure's plotting axes (without colour bars)."""
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


def bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_hatch() is None]


@pytest.fixture(scope="module")
def rooms_power():
    return powerseek.power(powerseek.load_mdp(EXAMPLES / "rooms.grid"), gamma=0.9, samples=300, seed=0)


def test_power_heatmap_uses_the_layout(rooms_power):
    fig = rooms_power.plot()
    assert isinstance(fig, plotting.Figure)
    (ax,) = main_axes(fig)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("column", "row")
    values, walls = [im for im in ax.get_images() if isinstance(im, AxesImage)]
    np.testing.assert_array_equal(values.get_array().filled(np.nan), rooms_power.grid())
    assert walls.get_array().count() == sum(row.count("#") for row in rooms_power["layout"]["rows"])
    assert [t.get_text() for t in ax.texts] == ["T"]
    assert "γ = 0.9" in ax.get_title()
    assert [a.get_ylabel() for a in fig.axes if a is not ax] == ["POWER"]


def test_power_bars_without_a_grid():
    r = powerseek.power(powerseek.load_mdp(EXAMPLES / "fork.json"), samples=500, seed=1)
    fig = r.plot()
    (ax,) = main_axes(fig)
    widths = [p.get_width() for p in bars(ax)]
    np.testing.assert_allclose(widths, r["power"])
    assert [t.get_text() for t in ax.get_yticklabels()] == [s["name"] for s in r["states"]]
    assert ax.get_xlabel() == "POWER (95% CI)"
    # Error bars span each state's 95% interval.
    segments = ax.collections[0].get_segments()
    np.testing.assert_allclose([[s[0][0], s[1][0]] for s in segments], r["ci95"])


def test_big_grids_fit_on_a_page():
    layout = {"width": 200, "height": 120, "rows": ["." * 200] * 120, "positions": [[0, 0]]}
    w, h = plotting.grid_heatmap(layout, [1.0]).get_size_inches()
    assert w <= 9.0 and h <= 7.0


def test_missing_cells_are_hatched():
    layout = {"width": 3, "height": 1, "rows": ["..#"], "positions": [[0, 0], [0, 1]]}
    fig = plotting.grid_heatmap(layout, [0.5, None])
    (ax,) = main_axes(fig)
    assert [p.get_hatch() for p in ax.patches] == ["//"]


def test_orbit_stacks_wins_ties_losses():
    r = powerseek.retarget_orbit([0.1, 0.5, 0.9, 0.3], [0], [1, 2], decision="argmax,argmin,boltzmann:1")
    fig = r.plot()
    (ax,) = main_axes(fig)
    rows = r["results"]
    patches = bars(ax)
    assert len(patches) == 3 * len(rows)
    total = np.zeros(len(rows))
    for p in patches:
        total[round(p.get_y() + p.get_height() / 2)] += p.get_width()
    np.testing.assert_allclose(total, 1.0)
    first = [p.get_width() for p in patches[: len(rows)]]
    np.testing.assert_allclose(first, [row["b_more"] / row["total"] for row in rows])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["B more likely", "as likely", "A more likely"]


def test_learned_bars():
    r = powerseek.retarget_learned(powerseek.load_mdp(EXAMPLES / "options.grid"), "left", "right", agents=30, seed=4)
    (ax,) = main_axes(r.plot())
    np.testing.assert_allclose([p.get_width() for p in bars(ax)], [row[2] for row in r.rows()])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["'right'", "'left'", "other"]


def test_scarcity_bands():
    r = powerseek.scarcity(games=5, lambdas=[-1, 0, 1], seed=0)
    fig = r.plot()
    (ax,) = main_axes(fig)
    lines = ax.get_lines()
    assert len(lines) == 4 and len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 4
    np.testing.assert_array_equal(lines[0].get_xdata(), [-1, 0, 1])
    np.testing.assert_array_equal(lines[0].get_ydata(), [s["total_power"]["mean"] for s in r["summaries"]])
    assert ax.get_ylabel() == "mean over games (95% CI)"


def test_rho_sweep_and_two_agent_heatmaps():
    grid = powerseek.load_mdp(EXAMPLES / "powerplay3x3.grid")
    sweep = powerseek.rho_sweep(grid, [-1, 1], samples=30, seed=0)
    (ax,) = main_axes(sweep.plot())
    assert [line.get_label() for line in ax.get_lines()] == ["POWER_H + POWER_A", "POWER_H", "POWER_A"]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), sweep["mean_total"])
    fig = plotting.two_agents(sweep, rho=1)
    axes = main_axes(fig)
    assert len(axes) == 2 and all("ρ = 1" in a.get_title() for a in axes)
    for i, a in enumerate(axes):
        image = a.get_images()[0].get_array().filled(np.nan)
        np.testing.assert_allclose(image.ravel(), sweep["per_cell"][1, i])  # 3×3 grid, cells row by row
    one = powerseek.sequential_power(grid, samples=30, seed=0)
    assert len(main_axes(one.plot())) == 2


def test_conflict_phase_and_posterior():
    phase = powerseek.conflict_phase(0.5, n_alignment=9, n_cost=7)
    (ax,) = main_axes(phase.plot())
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    np.testing.assert_array_equal(np.asarray(mesh.get_array()).reshape(7, 9), phase["probability"])
    assert ax.get_xlabel().startswith("alignment") and ax.get_ylabel() == "conflict cost c"
    post = powerseek.conflict_infer(truth=(-0.4, 0.2), episodes=40, seed=0, grid=9)
    (ax,) = main_axes(post.plot())
    labels = {line.get_label(): line.get_xydata()[0].tolist() for line in ax.get_lines()}
    assert labels["truth"] == [-0.4, 0.2] and labels["MAP"] == list(post["map"])


def test_game_power_bars():
    game = powerseek.game_from_numpy(np.array([[[2, 0], [0, 1]], [[1, 0], [0, 2]]]))
    r = powerseek.game_power(game)
    (ax,) = main_axes(r.plot())
    heights = [p.get_height() for p in bars(ax)]
    expected = [float(p["players"][i]["power"]) for i in range(2) for p in r["profiles"]]
    np.testing.assert_allclose(heights, expected)


def test_conflict_trace():
    r = powerseek.conflict_simulate((EXAMPLES / "conflict-little-to-lose.toml").read_text())
    arrows, course = main_axes(r.plot())
    # Left: one arrow per agent, from the origin to its power-scaled preference.
    tips = [a.xy for a in arrows.texts if hasattr(a, "arrow_patch") and a.arrow_patch is not None]
    np.testing.assert_allclose(tips, r["plane"])
    np.testing.assert_allclose([np.hypot(*p) for p in r["plane"][:1]], r["initial_powers"][:1])
    legend = [t.get_text() for t in arrows.get_legend().get_texts()]
    assert [x.split(" ")[0] for x in legend] == r.agents()
    # Right: every agent's power, from the start through each fight.
    lines = course.get_lines()
    assert [line.get_label() for line in lines] == r.agents()
    for i, line in enumerate(lines):
        expected = [r["initial_powers"][i]] + [e["powers_after"][i] for e in r["events"]]
        np.testing.assert_allclose(line.get_ydata(), expected)


def test_jupyter_display(rooms_power, monkeypatch):
    fig = rooms_power.plot()
    svg = fig._repr_svg_()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert fig._repr_png_() is None
    monkeypatch.setattr(plotting, "display_format", "png")
    assert fig._repr_png_().startswith(b"\x89PNG") and fig._repr_svg_() is None


def test_results_without_a_picture_say_so():
    with pytest.raises(TypeError, match="has no picture"):
        powerseek.solve(powerseek.game_from_numpy(np.array([[[1, 0], [0, 1]], [[1, 0], [0, 1]]]))).plot()
