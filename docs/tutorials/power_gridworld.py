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
# # POWER in a gridworld
#
# `examples/rooms.grid` is two rooms joined by a corridor: the agent starts in
# the small room (`S`), `T` is a terminal cell, every open cell offers `stay`
# and the moves that do not bump into a wall.

# %%
import pathlib

import numpy as np

import powerseek

here = pathlib.Path.cwd()
EXAMPLES = next(p / "examples" for p in [here, *here.parents] if (p / "examples" / "rooms.grid").exists())
print((EXAMPLES / "rooms.grid").read_text())

# %%
rooms = powerseek.load_mdp(EXAMPLES / "rooms.grid")
r = powerseek.power(rooms, gamma=0.9, samples=10_000, seed=0)
r

# %% [markdown]
# `r.plot()` draws the heatmap on the file's own grid (walls dark, the
# terminal cell marked `T`): each state's row and column come from the
# report's `layout` field, which the CLI's JSON has too.

# %%
r.plot()

# %% [markdown]
# One row per state, with its position on the grid, the estimate, its
# standard error and 95% interval:

# %%
r.to_pandas().sort_values("power", ascending=False).head(8)

# %% [markdown]
# ## Actions by name
#
# States have different actions (a wall removes a move), so the numpy arrays
# `r["optimal"]` follow each state's own action order: column 1 is `right` at
# (1,1) but `left` at (1,2). The `actions` table and the xarray Dataset name
# the actions instead.

# %%
print(rooms.actions[rooms.state_names.index("(1,1)")], rooms.actions[rooms.state_names.index("(1,2)")])
actions = r.to_pandas("actions")
actions[actions.state.isin(["(1,1)", "(1,2)"])]

# %%
ds = r.to_xarray()
ds

# %% [markdown]
# The probability that moving `right` is optimal, on the map (NaN, hatched,
# where `right` would bump into a wall):

# %%
right = ds.optimal.sel(action="right").values
from powerseek import plotting  # noqa: E402

plotting.grid_heatmap(r["layout"], right, title="P(right is optimal), γ = 0.9", label="P(optimal)")

# %% [markdown]
# ## Far-sighted and myopic agents
#
# As γ → 0 POWER is the expected best immediate reward among the reachable
# cells; as γ → 1 it is about which cells the agent can reach at all. The
# two limits are computed directly (`gamma=0` and `gamma=1`).

# %%
for gamma in (0, 0.5, 0.99, 1):
    g = powerseek.power(rooms, gamma=gamma, samples=2_000, seed=0)
    best = int(np.argmax(g["power"]))
    print(f"γ = {g['gamma']:>9}: most POWER at {rooms.state_names[best]} ({g['power'][best]:.4f} ± {g['se'][best]:.4f})")
