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
# # Two agents in a gridworld
#
# A human H and an AI A move on POWERplay's 3 × 3 grid. Their rewards are
# drawn with correlation ρ: ρ = 1 means identical goals, ρ = −1 opposed ones.
# Each agent's POWER depends on how the other responds (theory reference §8);
# here A responds as in POWERplay's protocol, moves are simultaneous and γ = 0.2.

# %%
import pathlib

import powerseek

here = pathlib.Path.cwd()
EXAMPLES = next(p / "examples" for p in [here, *here.parents] if (p / "examples" / "powerplay3x3.grid").exists())
grid = powerseek.load_mdp(EXAMPLES / "powerplay3x3.grid")
setting = dict(turns="simultaneous", other="powerplay", gamma=0.2, samples=400, seed=0)

# %%
one = powerseek.sequential_power(grid, rho=0.0, **setting)
one

# %% [markdown]
# Each agent's POWER per cell (averaged over the other's positions), on the
# grid:

# %%
one.plot()

# %% [markdown]
# One row per agent and joint state, with both agents' cells named:

# %%
one.to_pandas().head()

# %%
ds = one.to_xarray()
ds.per_cell

# %% [markdown]
# ## Sweeping the reward correlation
#
# The same reward samples at every ρ (common random numbers), so differences
# between ρ are not sampling noise between independent runs.

# %%
sweep = powerseek.rho_sweep(grid, [-1, -0.5, 0, 0.5, 1], **setting)
sweep.to_pandas()

# %%
sweep.plot()

# %%
sweep.to_xarray().mean_total.to_series()

# %%
from powerseek import plotting  # noqa: E402

plotting.two_agents(sweep, rho=-1)
