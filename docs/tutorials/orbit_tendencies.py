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
# # Orbit tendencies of retargetable decision-makers
#
# A decision-maker picks among outcomes given their utilities `u`. Permuting
# `u` retargets it. Over the *orbit* of `u` (all its permutations), how often
# does it prefer the outcome set B over A (theory reference §6)? When B
# contains several copies of A, most decision-makers that only care about
# utilities choose B on most of the orbit.

# %%
import numpy as np

import powerseek

u = np.linspace(0.1, 1.0, 6)
a, b = [0], [1, 2, 3]  # A: one outcome; B: three (indices from 0)
r = powerseek.retarget_orbit(u, a, b, decision="argmax,argmin,boltzmann:2,best-of:2")
r.to_pandas()

# %% [markdown]
# `b_more`, `equal` and `a_more` count the permutations where B is more
# likely, as likely, and less likely than A; the whole orbit was enumerated,
# so these are exact counts.

# %%
r.plot()

# %% [markdown]
# ## A decision-maker written in Python
#
# Any function from utilities to choice probabilities is a decision-maker.
# This one chooses only between the two best outcomes, by softmax with β = 5.

# %%
def top_two_softmax(utilities):
    best = np.argsort(-utilities)[:2]
    p = np.zeros_like(utilities)
    w = np.exp(5.0 * (utilities[best] - utilities[best].max()))
    p[best] = w / w.sum()
    return p


mine = powerseek.retarget_orbit(u, a, b, decision=top_two_softmax)
mine.to_pandas()

# %% [markdown]
# ## Large orbits are sampled
#
# Beyond 20 outcomes the orbit is sampled: the fraction then carries a 95%
# Wilson interval, drawn as an error bar.

# %%
big = powerseek.retarget_orbit(np.linspace(0, 1, 30), [0], [1, 2, 3], decision="argmax,boltzmann:1", samples=4_000, seed=1)
big.to_pandas()

# %%
big.plot()
