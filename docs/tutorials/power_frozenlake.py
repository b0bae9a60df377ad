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
# # POWER in FrozenLake
#
# FrozenLake 4×4 is Gymnasium's slippery lake: the agent starts at `S`,
# walks on frozen cells `F`, falls into holes `H` and wants the goal `G`.
# Every move goes the intended way with probability 1/3 and to each side with
# probability 1/3; moving off the map stays put. Holes and the goal end the
# episode: as an MDP they are absorbing states.
#
# POWER (theory reference §2) asks how well an agent *could* do at each state,
# averaged over reward functions drawn at random — here one reward per state,
# uniform on [0, 1], discounted by γ = 0.9.
#
# The Gymnasium adapter reads this MDP from the environment's own transition
# table (`env.unwrapped.P`), keeping action names and the map. Below, the same
# MDP is also written by hand with numpy, to show exactly what the adapter
# builds — and the two give the same POWER.

# %%
import numpy as np

import powerseek
from powerseek import plotting

MAP = ["SFFF", "FHFH", "FFFH", "HFFG"]
ACTIONS = ["left", "down", "right", "up"]  # Gymnasium's order
STEP = {0: (0, -1), 1: (1, 0), 2: (0, 1), 3: (-1, 0)}
n = len(MAP)

T = np.zeros((n * n, 4, n * n))
for r in range(n):
    for c in range(n):
        s = r * n + c
        for a in range(4):
            if MAP[r][c] in "HG":
                T[s, a, s] = 1.0  # terminal: absorbing
                continue
            for slip in (a - 1, a, a + 1):  # intended direction and both sides
                dr, dc = STEP[slip % 4]
                rr, cc = min(max(r + dr, 0), n - 1), min(max(c + dc, 0), n - 1)
                T[s, a, rr * n + cc] += 1 / 3  # duplicates (bumping into an edge) add up
names = [f"({r},{c})" for r in range(n) for c in range(n)]
lake = powerseek.mdp_from_numpy(T, state_names=names, action_names=ACTIONS)
lake

# %% [markdown]
# POWER of every state, by Monte Carlo over 5 000 reward functions. The result
# is a dict with the fields of `powerseek power --format json`, and it labels
# its numbers: `to_pandas()` gives one row per state.

# %%
r = powerseek.power(lake, gamma=0.9, samples=5_000, seed=0)
r

# %%
table = r.to_pandas()
table.sort_values("power", ascending=False).head()

# %% [markdown]
# Every estimate comes with its standard error; the goal and the holes are
# absorbing, so their POWER is the mean reward, 1/2.

# %%
terminal = [names[r_ * n + c] for r_ in range(n) for c in range(n) if MAP[r_][c] in "HG"]
assert np.allclose(table.set_index("state").loc[terminal, "power"], 0.5, atol=5 * r["se"].max())
r["power"].round(3).reshape(n, n)

# %% [markdown]
# The environment itself, through the adapter (`pip install powerseek[gymnasium]`):
# the same seed gives the same POWER, and the MDP keeps the lake's map, so the
# result draws itself as a heatmap.

# %%
import gymnasium

gym_lake = powerseek.from_gymnasium(gymnasium.make("FrozenLake-v1"))
r_gym = powerseek.power(gym_lake, gamma=0.9, samples=5_000, seed=0)
assert gym_lake.n_states == lake.n_states
assert np.allclose(r_gym["power"], r["power"], atol=1e-9)
r_gym.plot()

# %% [markdown]
# A map drawn from the numbers of the hand-built MDP: an MDP built from numpy
# has no grid of its own, so we give the heatmap the lake's layout.

# %%
layout = {
    "width": n,
    "height": n,
    "rows": ["".join("T" if ch in "HG" else "." for ch in row) for row in MAP],
    "positions": [[s // n, s % n] for s in range(n * n)],
}
plotting.grid_heatmap(layout, r["power"], title="POWER in FrozenLake 4×4 (γ = 0.9)")

# %% [markdown]
# Which first move is most often optimal from the start? The `actions` table
# has one row per state and action *name*.

# %%
actions = r.to_pandas("actions")
actions[actions.state == "(0,0)"]

# %% [markdown]
# The same numbers as an xarray Dataset, with states and actions as
# coordinates: `optimal.sel(action="down")` is the probability that `down` is
# optimal, at every state.

# %%
ds = r.to_xarray()
ds.optimal.sel(action="down").round(3).values.reshape(n, n)
