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
# # Equilibria, multi-agent POWER and alignment of classic games
#
# Games are exact: payoffs are rationals, equilibria are computed in
# rational arithmetic and come back as `fractions.Fraction`. Four classic
# 2 × 2 games, written as payoff arrays `payoffs[player, row action, column action]`:

# %%
from fractions import Fraction

import numpy as np

import powerseek

games = {
    "prisoner's dilemma": np.array([[[3, 0], [5, 1]], [[3, 5], [0, 1]]]),
    "matching pennies": np.array([[[1, -1], [-1, 1]], [[-1, 1], [1, -1]]]),
    "battle of the sexes": np.array([[[2, 0], [0, 1]], [[1, 0], [0, 2]]]),
    "stag hunt": np.array([[[4, 0], [3, 3]], [[4, 3], [0, 3]]]),
}
games = {name: powerseek.game_from_numpy(p) for name, p in games.items()}

# %% [markdown]
# ## Nash equilibria
#
# `solve(game, all=True)` finds every extreme equilibrium of a two-player game
# and re-checks each by its exact regret. The `strategies` table has one row
# per equilibrium, player and action.

# %%
bos = powerseek.solve(games["battle of the sexes"], all=True)
bos

# %%
bos.to_pandas()

# %%
bos.to_pandas("payoffs")

# %% [markdown]
# The mixed equilibrium of the battle of the sexes is (2/3, 1/3) against
# (1/3, 2/3), exactly:

# %%
mixed = [e for e in bos["equilibria"] if all(0 < x < 1 for s in e["strategies"] for x in s)]
assert mixed[0]["strategies"] == [[Fraction(2, 3), Fraction(1, 3)], [Fraction(1, 3), Fraction(2, 3)]]
mixed[0]["strategies"]

# %% [markdown]
# ## Multi-agent POWER
#
# A player's POWER at a profile is the best it could get against the others'
# strategies (theory reference §3.4). `game_power` evaluates it at every
# equilibrium and at the uniform profile.

# %%
mp = powerseek.game_power(games["matching pennies"])
mp.to_pandas()

# %% [markdown]
# In a constant-sum game total POWER is at least the constant, with equality
# exactly at equilibria (§3.6) — here the constant is 0:

# %%
for p in mp["profiles"]:
    assert (p["total_power"] == mp["constant_sum"]) == p["is_equilibrium"]
mp.plot()

# %%
powerseek.game_power(games["stag hunt"]).plot()

# %% [markdown]
# ## Alignment
#
# `alignment` computes every metric of §4: α and the alignment gap, welfare,
# security levels and the threat point, Nash bargaining. One row per metric
# (and per player for the per-player ones):

# %%
rows = []
for name, game in games.items():
    a = powerseek.alignment(game)
    rows.append((name, a["alpha"], a["max_welfare"]))
rows

# %%
powerseek.alignment(games["prisoner's dilemma"]).to_pandas()
