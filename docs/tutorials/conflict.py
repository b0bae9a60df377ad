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
# # The conflict model
#
# Agents are vectors: a direction (what they want) times a length (their
# power). An agent attacks another when its expected gain from the contest —
# what it wins, weighed by how much it cares, minus the cost of conflict — is
# positive (theory reference §9).

# %%
import pathlib

import powerseek

here = pathlib.Path.cwd()
EXAMPLES = next(p / "examples" for p in [here, *here.parents] if (p / "examples" / "conflict-little-to-lose.toml").exists())
print((EXAMPLES / "conflict-little-to-lose.toml").read_text())

# %%
trace = powerseek.conflict_simulate((EXAMPLES / "conflict-little-to-lose.toml").read_text())
trace

# %%
trace.to_pandas("initial")

# %%
trace.to_pandas("events")

# %%
trace.plot()

# %% [markdown]
# ## When does the weaker agent escalate?
#
# The phase diagram: the probability that an agent with a third of its
# opponent's power escalates, over alignment and cost of conflict, with the
# curve where its expected gain is zero.

# %%
phase = powerseek.conflict_phase(1 / 3, temperature=0.05, n_alignment=61, n_cost=61)
phase.plot()

# %%
phase.to_xarray()

# %% [markdown]
# ## What do decisions reveal?
#
# From an agent's decisions against opponents of different strength, the
# posterior over its alignment and perceived cost. Here 200 decisions are
# simulated from a known truth, drawn as a star.

# %%
post = powerseek.conflict_infer(truth=(-0.4, 0.2), episodes=200, seed=0)
post

# %%
post.plot()

# %%
post["alignment"], post["cost"]
