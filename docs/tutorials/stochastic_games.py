# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Stochastic games: POWER at equilibrium and under incomplete information
#
# A stochastic game lets several players act in turn or at once over many
# steps. Here every reward sample is solved to an equilibrium, and each
# player's POWER is its best-response value against the others (theory
# reference §11). In constant-sum games ΣPOWER is conserved at equilibrium;
# at any other profile the excess is the total regret.

# %%
import pathlib
from fractions import Fraction

import numpy as np
import matplotlib.pyplot as plt

import powerseek

here = pathlib.Path.cwd()
EXAMPLES = next(p / "examples" for p in [here, *here.parents] if (p / "examples" / "stochastic" / "duel.json").exists())
duel = powerseek.load_stochastic_game(EXAMPLES / "stochastic" / "duel.json")
duel.players, duel.states

# %% [markdown]
# Constant-sum rewards (r_A = 1 − r_H), each sample solved by Shapley's value
# iteration and certified by both players' best-response gains:

# %%
eq = powerseek.stochastic_power(duel, rewards="constant-sum", samples=200, seed=0)
print("ΣPOWER per state:", [round(e["mean"], 6) for e in eq["total_power"]])
print("certified exploitability:", eq["max_exploitability"], "target reached:", eq["target_reached"])

# %% [markdown]
# At the uniformly random profile ΣPOWER exceeds 1 by the total regret (the
# two columns agree within the iteration's tolerance, 1e-7 per value):

# %%
uniform = powerseek.stochastic_power(duel, rewards="constant-sum", method="uniform", samples=200, seed=0)
excess = np.array([e["mean"] for e in uniform["total_power"]]) - 1
regret = np.array([e["mean"] for e in uniform["total_regret"]])
np.column_stack([excess, regret])

# %% [markdown]
# ## From common payoff to constant-sum
#
# `blend:λ` rewards run from identical goals (λ = 0) to opposed ones (λ = 1)
# on the same samples; ΣPOWER falls towards its constant-sum value, the
# sequential power-scarcity picture.

# %%
sweep = powerseek.stochastic_lambda_sweep(duel, [0, 0.25, 0.5, 0.75, 1], samples=50, seed=0)
fig, ax = plt.subplots(figsize=(5, 3))
ax.errorbar(sweep["lambda"], sweep["total_mean"], yerr=1.96 * sweep["total_se"], marker="o", capsize=3)
ax.set_xlabel("λ (0 common payoff … 1 constant-sum)")
ax.set_ylabel("ΣPOWER at equilibrium")
fig.tight_layout()

# %% [markdown]
# ## Incomplete information
#
# Now each player knows only its own reward among a few *type profiles*. In
# the guessing game A earns 1 for matching B's action; B likes `x` (prior
# 2/3) or `y` and plays what it likes. A does not know which: in one step it
# guesses `x`, and its POWER is 2/3, where knowing B's type would give 1.

# %%
guess = powerseek.load_stochastic_game(EXAMPLES / "stochastic" / "guess.json")
a = [1, 0, 0, 1]  # A's reward per joint action (A's action fastest): 1 on (x, x) and (y, y)
profiles = [
    ("B likes x", [a, [1, 1, 0, 0]], Fraction(2, 3)),
    ("B likes y", [a, [0, 0, 1, 1]], Fraction(1, 3)),
]
one = powerseek.stochastic_incomplete_power(guess, profiles, site="joint-action")
one["power"][0][0], one["complete_power"][0][0], one["equilibrium"]

# %% [markdown]
# Over two steps, against B playing its type and A guessing uniformly, A sees
# B's first move and so learns its type: A's POWER is (2/3 + 1)/2 = 5/6, while
# this profile only gives it 1/2 — it is not an equilibrium. Discounted, A's
# POWER is (1 − γ)·2/3 + γ.

# %%
revealing = [[[["1/2", "1/2"]]], [[[1, 0]], [[0, 1]]]]
two = powerseek.stochastic_incomplete_power(guess, profiles, site="joint-action", steps=2, strategies=revealing)
disc = powerseek.stochastic_incomplete_power(guess, profiles, site="joint-action", gamma=0.9, strategies=revealing)
two["power"][0][0], two["value"][0][0], two["information_value"][0][0], round(disc["power"][0][0], 6)
