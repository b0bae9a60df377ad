"""The CLI and Python call the same library functions for games: for the same
inputs, `powerseek game solve/power/align` and `experiment scarcity` with
`--format json` carry exactly the values Python returns (exact values are
"p/q" text in JSON and Fractions in Python)."""

import json
import subprocess
from fractions import Fraction

import pytest

import powerseek
from conftest import EXAMPLES

GAMES = EXAMPLES / "games"
NORMAL = [
    "prisoners-dilemma.nfg",
    "matching-pennies.nfg",
    "battle-of-the-sexes.nfg",
    "rock-paper-scissors.json",
    "degenerate.nfg",
    "three-player.nfg",
]
BAYESIAN = ["bayesian-two-type.json"]


def plain(x):
    """A Python report with Fractions written as the CLI's JSON writes them."""
    if isinstance(x, Fraction):
        return str(x)
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    return x


def run(cli, *args):
    r = subprocess.run([cli, *map(str, args), "--format", "json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def load(name):
    return powerseek.load_bayesian(GAMES / name) if name in BAYESIAN else powerseek.load_game(GAMES / name)


def solve_cases():
    for name in NORMAL + BAYESIAN:
        yield name, None, False
        yield name, None, True
    for name in ["matching-pennies.nfg", "rock-paper-scissors.json"]:
        yield name, "lp", False
    for name in ["battle-of-the-sexes.nfg", "degenerate.nfg"]:
        for method in ["support", "pure", "logit"]:
            yield name, method, False
        yield name, "lh", True
    yield "three-player.nfg", "pure", False
    yield "bayesian-two-type.json", "support", False


@pytest.mark.parametrize("name, method, all_", list(solve_cases()))
def test_equilibria_are_the_same_from_the_cli_and_python(cli, name, method, all_):
    args = ["game", "solve", GAMES / name] + (["--method", method] if method else []) + (["--all"] if all_ else [])
    from_cli = run(cli, *args)
    from_python = powerseek.solve(load(name), method=method, all=all_)
    assert plain(from_python) == from_cli
    assert from_cli["equilibria"], name
    # The convenience lists are the same profiles.
    key = "behaviour" if name in BAYESIAN else "strategies"
    listed = (powerseek.bayesian_equilibria if name in BAYESIAN else powerseek.equilibria)(
        load(name), exact=True, method=method, all=all_
    )
    assert plain(listed) == [e[key] for e in from_cli["equilibria"]]


@pytest.mark.parametrize("name", NORMAL + BAYESIAN)
def test_game_power_is_the_same_from_the_cli_and_python(cli, name):
    game = load(name)
    power = powerseek.bayesian_power if name in BAYESIAN else powerseek.game_power
    assert plain(power(game)) == run(cli, "game", "power", GAMES / name)
    assert plain(power(game, "uniform")) == run(cli, "game", "power", GAMES / name, "--profile", "uniform")


def test_game_power_at_a_given_profile_is_the_same(cli, tmp_path):
    profile = tmp_path / "profile.json"
    profile.write_text('{"Row": ["1", "0"], "Column": ["1/2", "1/2"]}')
    pd = GAMES / "prisoners-dilemma.nfg"
    from_cli = run(cli, "game", "power", pd, "--profile", profile)
    from_python = powerseek.game_power(powerseek.load_game(pd), [[1, 0], [0.5, 0.5]])
    assert plain(from_python) == from_cli
    assert from_cli["profiles"][0]["players"][1]["power"] == "3"
    bayes = GAMES / "bayesian-two-type.json"
    profile.write_text(
        '{"Player 1": {"1G": [1, 0], "1B": ["1/3", "2/3"]}, "Player 2": {"2g": [0, 1], "2b": [0.5, 0.5]}}'
    )
    behaviour = [[[1, 0], [Fraction(1, 3), Fraction(2, 3)]], [[0, 1], [0.5, 0.5]]]
    from_python = powerseek.bayesian_power(powerseek.load_bayesian(bayes), behaviour)
    assert plain(from_python) == run(cli, "game", "power", bayes, "--profile", profile)


@pytest.mark.parametrize("name", NORMAL)
def test_alignment_is_the_same_from_the_cli_and_python(cli, name):
    assert plain(powerseek.alignment(load(name))) == run(cli, "game", "align", GAMES / name)


def test_alignment_with_weights_is_the_same(cli):
    bos = GAMES / "battle-of-the-sexes.nfg"
    from_cli = run(cli, "game", "align", bos, "--weights", "1,2.5")
    from_python = powerseek.alignment(powerseek.load_game(bos), [1, 2.5])
    assert plain(from_python) == from_cli
    assert from_cli["weights"] == ["1", "5/2"]
    # Every field `game align` reports is in Python's result.
    assert len(from_python) == len(from_cli) >= 13


@pytest.mark.parametrize(
    "options",
    [
        dict(games=5, lambdas=[-1.0, 0.0, 1.0], seed=3),
        dict(types=2, actions=2, games=3, lambdas=[0.5], seed=1),
        dict(players=3, actions=2, games=3, lambdas=[-0.5, 1.0], seed=2),
    ],
)
def test_scarcity_is_the_same_from_the_cli_and_python(cli, options):
    args = ["experiment", "scarcity"]
    for key, value in options.items():
        args += [f"--{key}", ",".join(map(str, value)) if isinstance(value, list) else value]
    from_cli = run(cli, *args)
    from_python = powerseek.scarcity(**options)
    for report in (from_cli, from_python):
        report.pop("seconds")
    assert plain(from_python) == from_cli
