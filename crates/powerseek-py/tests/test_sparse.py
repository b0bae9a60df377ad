"""numpy and scipy in: MDPs from sparse matrices or index arrays equal the
same dense tables' MDPs (and give the same POWER), features for
feature-based rewards, and object and Fraction payoff arrays read exactly."""

from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse as sp

import powerseek


def random_table(rng, n, k):
    """A dense S × A × S table with some missing actions (zero rows), every state keeping action 0."""
    t = rng.random((n, k, n)) * (rng.random((n, k, n)) < 0.4)
    t[:, 0, :] += (t[:, 0, :].sum(axis=1) == 0)[:, None] * np.eye(n)
    sums = t.sum(axis=2, keepdims=True)
    return np.divide(t, sums, out=np.zeros_like(t), where=sums > 0)


@pytest.mark.parametrize("seed", range(5))
def test_sparse_matrices_and_index_arrays_build_the_dense_tables_mdp(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(2, 9)), int(rng.integers(1, 4))
    t = random_table(rng, n, k)
    dense = powerseek.mdp_from_numpy(t)
    matrices = powerseek.mdp_from_sparse([sp.csr_array(t[:, a, :]) for a in range(k)])
    s, a, s2 = np.nonzero(t)
    arrays = powerseek.mdp_from_sparse(state=s, action=a, next_state=s2, prob=t[s, a, s2], n_states=n)
    assert matrices == dense
    assert arrays == dense
    # Shuffled entries with every probability split in two: summed back to the same MDP (dyadic halves are exact).
    order = rng.permutation(len(s))
    twice = np.concatenate([order, order])
    halves = powerseek.mdp_from_sparse(
        state=s[twice], action=a[twice], next_state=s2[twice], prob=t[s, a, s2][twice] / 2, n_states=n
    )
    assert halves == dense
    r1 = powerseek.power(dense, samples=500, seed=seed)
    r2 = powerseek.power(halves, samples=500, seed=seed)
    assert np.array_equal(r1["power"], r2["power"])


def test_a_large_sparse_mdp_never_needs_a_dense_table():
    # 200 000 states on a ring, two actions: a dense table would take 640 GB.
    n = 200_000
    s = np.arange(n)
    state = np.concatenate([s, s, s])
    action = np.concatenate([np.zeros(n, int), np.ones(n, int), np.ones(n, int)])
    nxt = np.concatenate([(s + 1) % n, s, (s + 2) % n])
    prob = np.concatenate([np.ones(n), np.full(n, 0.5), np.full(n, 0.5)])
    m = powerseek.mdp_from_sparse(state=state, action=action, next_state=nxt, prob=prob, action_names=["step", "skip"])
    assert m.n_states == n and m.actions[0] == ["step", "skip"]
    assert m.parts()[1][1] == (0, "skip", [(0, 0.5), (2, 0.5)])


def test_sparse_errors_name_the_problem():
    with pytest.raises(ValueError, match="sum to 0.5"):
        powerseek.mdp_from_sparse(state=[0, 1], action=[0, 0], next_state=[1, 0], prob=[1.0, 0.5])
    with pytest.raises(ValueError, match="negative"):
        powerseek.mdp_from_sparse(state=[0, -1], action=[0, 0], next_state=[1, 0], prob=[1.0, 1.0])
    with pytest.raises(ValueError, match="one of each per entry"):
        powerseek.mdp_from_sparse(state=[0, 1], action=[0], next_state=[1, 0], prob=[1.0, 1.0])
    with pytest.raises(ValueError, match="state '1' has no actions"):
        powerseek.mdp_from_sparse(state=[0], action=[0], next_state=[1], prob=[1.0])
    with pytest.raises(ValueError, match="integer indices"):
        powerseek.mdp_from_sparse(state=[0.5], action=[0], next_state=[0], prob=[1.0])
    with pytest.raises(ValueError, match="S × S"):
        powerseek.mdp_from_sparse([sp.eye_array(2), sp.eye_array(3)])
    with pytest.raises(ValueError, match="either transitions"):
        powerseek.mdp_from_sparse([sp.eye_array(2)], state=[0])


def test_features_feed_feature_rewards():
    # Two absorbing states with features φ = 1 and 3, and a start that can reach either: with R = w·φ
    # and w ~ U(0,1), at γ = 0 the start's POWER is E[max(w, 3w)] = 3/2 and each end's is E[w·φ].
    t = np.zeros((3, 2, 3))
    t[0, 0, 1] = t[0, 1, 2] = 1.0
    t[1, 0, 1] = t[2, 0, 2] = 1.0
    m = powerseek.mdp_from_numpy(t, ["start", "one", "three"], ["left", "right"], features={"phi": [0.0, 1.0, 3.0]})
    r = powerseek.power(m, gamma=0.0, dist="features:uniform", samples=20_000)
    assert r["distribution"].startswith("features")
    for s, expected in enumerate([1.5, 0.5, 1.5]):
        assert abs(r["power"][s] - expected) < 4 * r["se"][s] + 1e-12, (s, r["power"][s])
    # The sparse constructor takes the same argument; so do arrays and (names, array).
    sparse = powerseek.mdp_from_sparse(
        state=[0, 0, 1, 2], action=[0, 1, 0, 0], next_state=[1, 2, 1, 2], prob=[1.0] * 4, features=[[0.0], [1.0], [3.0]],
        state_names=["start", "one", "three"], action_names=["left", "right"],
    )
    assert sparse.features[1].tolist() == [[0.0], [1.0], [3.0]]
    assert powerseek.mdp_from_numpy(t, features=(["phi"], [[0.0], [1.0], [3.0]])).features[0] == ["phi"]
    with pytest.raises(ValueError, match="features"):
        powerseek.mdp_from_numpy(t, features=[[0.0], [1.0]])
    with pytest.raises(ValueError, match="not a finite"):
        powerseek.mdp_from_numpy(t, features=[[0.0], [np.inf], [1.0]])
    with pytest.raises(ValueError, match="no state features"):
        powerseek.power(powerseek.mdp_from_numpy(t), dist="features:uniform", samples=10)


def test_object_and_fraction_payoffs_are_read_exactly():
    big = 2**80 + 1  # not a float
    payoffs = np.array(
        [[[Fraction(1, 3), big], [0, Fraction(-2, 7)]], [[Fraction(1, 3), 0], [Fraction(5, 11), 1]]], dtype=object
    )
    g = powerseek.game_from_numpy(payoffs)
    text = g.to_nfg()
    assert "1/3" in text and str(big) in text and "-2/7" in text and "5/11" in text
    lists = [[[Fraction(1, 3), big], [0, Fraction(-2, 7)]], [[Fraction(1, 3), 0], [Fraction(5, 11), 1]]]
    assert powerseek.game_from_numpy(lists) == g
    # Floats in an object array are their shortest decimals, like float arrays.
    assert powerseek.game_from_numpy(np.array([[[0.1]], [[0.2]]], dtype=object)) == powerseek.game_from_numpy([[[0.1]], [[0.2]]])
    with pytest.raises(ValueError, match="not a number"):
        powerseek.game_from_numpy(np.array([[["x"]], [[1]]], dtype=object))
