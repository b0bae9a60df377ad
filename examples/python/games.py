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
    # As `powerseek game power`: every equilibrium, then the uniform profile.
    for p in powerseek.game_power(game)["profiles"]:
        strategies = "; ".join(", ".join(str(x) for x in s[0]) for s in p["behaviour"])
        power = [str(player["power"]) for player in p["players"]]
        print(f"  {p['label']} ({strategies}): POWER {power}, Σ = {p['total_power']}")
