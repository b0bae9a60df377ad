"""Exact equilibria, multi-agent POWER and alignment of small games, as
`powerseek game solve` / `game power` / `game align`.

    python examples/python/games.py
"""

import numpy as np

import powerseek

games = {
    # payoffs[i, row action, column action]
    "prisoner's dilemma": np.array([[[3, 0], [5, 1]], [[3, 5], [0, 1]]]),
    "matching pennies": np.array([[[1, -1], [-1, 1]], [[-1, 1], [1, -1]]]),
    "battle of the sexes": np.array([[[2, 0], [0, 1]], [[1, 0], [0, 2]]]),
}
for name, payoffs in games.items():
    game = powerseek.game_from_numpy(payoffs)
    a = powerseek.alignment(game)
    print(f"{name}: α = {a['alpha']}, threat point {[str(x) for x in a['threat_point']]}")
    for eq in powerseek.equilibria(game, exact=True):
        p = powerseek.game_power(game, eq)
        strategies = "; ".join(", ".join(str(x) for x in s) for s in eq)
        print(f"  equilibrium ({strategies}): POWER {[str(x) for x in p['power']]}, Σ = {p['total_power']}")
