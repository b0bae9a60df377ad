"""Visit distributions and exact POWER from Python: Fractions, the CLI's JSON, closed forms."""

import json
import subprocess
from fractions import Fraction

import pytest

import powerseek
from conftest import EXAMPLES


def test_fork_visit_distributions_are_exact_and_match_the_cli(cli):
    fork = powerseek.load_mdp(EXAMPLES / "fork.json")
    r = powerseek.visit_distributions(fork, gamma=Fraction(1, 2))
    assert r["gamma"] == Fraction(1, 2)
    assert len(r["distributions"]) == 4 and all(d["non_dominated"] for d in r["distributions"])
    left = next(a for a in r["actions"] if a["action"] == "left")
    right = next(a for a in r["actions"] if a["action"] == "right")
    assert isinstance(left["optimal"], Fraction)
    assert left["optimal"] + right["optimal"] == 1
    assert right["successor_power"] == Fraction(3, 4) and left["successor_power"] == Fraction(1, 2)
    assert r["orderings"] == [{"a": "left", "b": "right", "more_probably_optimal": "right", "seeks_power": "right"}]
    out = subprocess.run(
        [cli, "visits", str(EXAMPLES / "fork.json"), "--gamma", "1/2", "--format", "json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    j = json.loads(out)
    assert j["power"] == str(r["power"].numerator) + "/" + str(r["power"].denominator)
    assert [d["first_actions"] for d in j["distributions"]] == [d["first_actions"] for d in r["distributions"]]


def test_exact_power_closed_form_and_errors():
    corridor = powerseek.gridworld("T.T\n")
    r = powerseek.power(corridor, gamma="9/10", exact=True)
    # The middle cell reaches three absorbing cells: E[max of 3 U(0,1)] = 3/4.
    assert r["states"][1]["power"] == Fraction(3, 4)
    assert r["states"][0]["power"] == Fraction(1, 2)
    with pytest.raises(ValueError, match="samples"):
        powerseek.power(corridor, exact=True, samples=10)
    with pytest.raises(ValueError, match="exact POWER supports"):
        powerseek.power(corridor, exact=True, dist="normal:0,1")


def test_sets_and_no_probabilities():
    fork = powerseek.load_mdp(EXAMPLES / "fork.json")
    r = powerseek.visit_distributions(fork, gamma=0.5, sets=[[1, 2, 3], [0, 1, 2, 3]])
    assert r["sets"][1] == 1
    assert r["sets"][0] == next(a for a in r["actions"] if a["action"] == "right")["optimal"]
    bare = powerseek.visit_distributions(fork, probabilities=False)
    assert bare["power"] is None and bare["orderings"] == []
