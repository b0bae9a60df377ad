"""Orbit tendencies with a decision-maker written in Python, as `powerseek retarget orbit`.

    python examples/python/orbit_tendency.py [retarget-orbit.png]   # also writes retarget-orbit-python.png

A "softmax over the two best outcomes" decision-maker, defined here, against
the built-in ones: how often over the orbit of u is B (3 outcomes) more likely
than A (1 outcome)?
"""

import pathlib
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
for label, dm in makers.items():
    t = powerseek.orbit_tendency(dm, u, a, b)
    print(f"{label:>24}: B more likely on {t['b_more']} of {t['total']} permutations, A on {t['a_more']}")

try:
    import matplotlib  # noqa: F401
except ImportError:
    sys.exit(0)
out = sys.argv[1] if len(sys.argv) > 1 else "retarget-orbit.png"
# The built-in decision-makers in one report, the Python one in another: one stacked-bar chart each.
builtin = powerseek.retarget_orbit(u, a, b, decision=",".join(m for m in makers.values() if isinstance(m, str)))
builtin.plot().savefig(out, dpi=120)
mine = pathlib.Path(out).with_name(pathlib.Path(out).stem + "-python" + pathlib.Path(out).suffix)
powerseek.retarget_orbit(u, a, b, decision=top_two_softmax).plot(title="top-2 softmax (Python)").savefig(mine, dpi=120)
print(f"plots written to {out} and {mine}")
