"""Orbit tendencies with a decision-maker written in Python, as `powerseek retarget orbit`.

    python examples/python/orbit_tendency.py [retarget-orbit.png]

A "softmax over the two best outcomes" decision-maker, defined here, against
the built-in ones: how often over the orbit of u is B (3 outcomes) more likely
than A (1 outcome)?
"""

import sys

import numpy as np

import powerseek


def top_two_softmax(utilities):
    """Chooses only among the two best outcomes, softmax with β = 5 between them."""
    best = np.argsort(-utilities)[:2]
    p = np.zeros_like(utilities)
    w = np.exp(5.0 * (utilities[best] - utilities[best].max()))
    p[best] = w / w.sum()
    return p


u = np.linspace(0.1, 1.0, 6)
a, b = [0], [1, 2, 3]
makers = {"argmax": "argmax", "boltzmann:2": "boltzmann:2", "best-of:2": "best-of:2", "top-2 softmax (Python)": top_two_softmax}
rows = {}
for label, dm in makers.items():
    t = powerseek.orbit_tendency(dm, u, a, b)
    rows[label] = t["b_more"] / t["total"]
    print(f"{label:>24}: B more likely on {t['b_more']} of {t['total']} permutations, A on {t['a_more']}")

try:
    import matplotlib.pyplot as plt
except ImportError:
    sys.exit(0)
out = sys.argv[1] if len(sys.argv) > 1 else "retarget-orbit.png"
plt.barh(list(rows), list(rows.values()))
plt.xlabel("fraction of the orbit where B is more likely than A")
plt.xlim(0, 1)
plt.tight_layout()
plt.savefig(out, dpi=120)
print(f"plot written to {out}")
