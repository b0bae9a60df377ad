"""Type stubs of the compiled extension (the Rust side of the package)."""

from fractions import Fraction
from typing import Any, Callable, Optional, Sequence, TypedDict, Union

import numpy as np
import numpy.typing as npt

class Mdp:
    """A finite MDP: states, actions and transition probabilities (no rewards)."""

    @staticmethod
    def load(path: str) -> Mdp:
        """Load a .grid, .json, .mdp or .pomdp file."""
    @staticmethod
    def gridworld(text: str, origin: str = "<gridworld>") -> Mdp:
        """Parse gridworld text."""
    @staticmethod
    def _from_numpy(
        transitions: npt.NDArray[np.float64], state_names: list[str], action_names: list[str]
    ) -> Mdp: ...
    @staticmethod
    def _from_parts(state_names: list[str], actions: list[tuple[int, str, list[tuple[int, float]]]]) -> Mdp: ...
    def parts(self) -> tuple[list[str], list[tuple[int, str, list[tuple[int, float]]]]]:
        """`(state_names, [(state, action, [(next, p), ...]), ...])`."""
    @property
    def n_states(self) -> int: ...
    @property
    def state_names(self) -> list[str]: ...
    @property
    def actions(self) -> list[list[str]]:
        """The action names available at each state, in the order of result columns."""

class PowerPartial:
    """Statistics of a run of reward samples; merge with `finish_power`. Picklable."""

    @staticmethod
    def _from_json(text: str) -> PowerPartial: ...
    def _to_json(self) -> str: ...

class Game:
    """An n-player normal-form game with exact rational payoffs. Picklable."""

    @staticmethod
    def load(path: str) -> Game:
        """Load a Gambit .nfg or a JSON game."""
    @staticmethod
    def _from_flat(shape: list[int], payoffs: list[float]) -> Game: ...
    @staticmethod
    def _from_nfg(text: str) -> Game: ...
    def to_nfg(self) -> str:
        """The game in Gambit's .nfg format."""
    def _flat_payoffs(self) -> list[float]: ...
    @property
    def shape(self) -> list[int]:
        """Number of actions of each player."""
    @property
    def players(self) -> list[str]: ...
    @property
    def actions(self) -> list[list[str]]: ...

class BayesianGame:
    """A Bayesian game (types with a common prior); normal-form games have one type each."""

    @staticmethod
    def load(path: str) -> BayesianGame:
        """Load a one-stage .efg, a Bayesian or normal-form .json, or a .nfg."""
    @staticmethod
    def from_game(game: Game) -> BayesianGame: ...
    @property
    def players(self) -> list[str]: ...
    @property
    def types(self) -> list[list[str]]: ...
    @property
    def actions(self) -> list[list[str]]: ...

def set_memory_limit(limit: Union[int, str, None] = None) -> None:
    """Requests estimated to need more memory than this fail fast with MemoryError:
    bytes, a size such as "4G" or "512M", or None for half of physical memory."""
    ...
def memory_limit() -> int: ...
def solve(game: Game, method: Optional[str] = None, all: bool = False) -> dict[str, Any]:
    """`powerseek game solve`'s report (exact values as Fractions)."""
class EquilibriumStream:
    """Equilibria as found (dicts); `summary` once exhausted."""

    def __iter__(self) -> EquilibriumStream: ...
    def __next__(self) -> dict[str, Any]: ...
    @property
    def summary(self) -> Optional[dict[str, Any]]: ...

def iter_equilibria(game: Game, method: Optional[str] = None, all: bool = True) -> EquilibriumStream:
    """`powerseek game solve --format jsonl`'s equilibria, streamed."""

def solve_bayesian(game: BayesianGame, method: Optional[str] = None, all: bool = False) -> dict[str, Any]: ...
def game_power(
    game: Union[Game, BayesianGame],
    profile: Union[None, str, list[list[Fraction]], list[list[list[Fraction]]]] = None,
) -> dict[str, Any]:
    """`powerseek game power`'s report: profile None, "uniform", [player][action] or [player][type][action]."""
def alignment(game: Game, weights: Optional[list[Fraction]] = None) -> dict[str, Any]:
    """`powerseek game align`'s report."""
class PowerArgs(TypedDict, total=False):
    """The options of every POWER call (the library's PowerRequest; missing ones take its defaults)."""

    gamma: float
    samples: int
    dist: str
    seed: int
    tolerance: float
    antithetic: bool
    batch: Optional[int]

def power(mdp: Mdp, args: PowerArgs) -> dict[str, Any]: ...
def batch_size(mdp: Mdp, batch: Optional[int] = None, antithetic: bool = False) -> int: ...
def power_partials(mdp: Mdp, first: int, end: int, args: PowerArgs) -> list[PowerPartial]: ...
def finish_power(mdp: Mdp, partials: Sequence[PowerPartial], args: PowerArgs) -> dict[str, Any]: ...
def orbit(
    request: dict[str, Any],
    decision_maker: Optional[Callable[[npt.NDArray[np.float64]], Sequence[float]]] = None,
) -> dict[str, Any]:
    """`retarget orbit`: fields of the library's OrbitRequest in, its OrbitReport out."""
def check(
    request: dict[str, Any],
    decision_maker: Optional[Callable[[npt.NDArray[np.float64]], Sequence[float]]] = None,
) -> dict[str, Any]: ...
def mdp_tendency(mdp: Mdp, request: dict[str, Any]) -> dict[str, Any]: ...
def learned(mdp: Mdp, request: dict[str, Any]) -> dict[str, Any]: ...

TENDENCY_CHUNK: int
class ScarcityOptions(TypedDict, total=False):
    """The sweep's options (the library's ScarcityOptions; missing ones take its defaults)."""

    players: int
    actions: int
    types: int
    games: int
    lambdas: list[float]
    seed: int

def scarcity(options: ScarcityOptions, only: Optional[int] = None) -> dict[str, Any]:
    """`powerseek experiment scarcity`'s report."""
def scarcity_default_lambdas() -> list[float]: ...
def multi_power(grid: Mdp, request: dict[str, Any], rho: Optional[float] = None) -> dict[str, Any]:
    """`multi power`: fields of the library's MultiRequest in, its report out."""
def multi_sweep(grid: Mdp, request: dict[str, Any], rhos: list[float]) -> dict[str, Any]: ...
def conflict_simulate(text: str) -> dict[str, Any]: ...
def conflict_phase(request: dict[str, Any]) -> dict[str, Any]: ...
def conflict_infer(request: dict[str, Any], observations: Optional[str] = None) -> dict[str, Any]: ...
def conflict_calibrate(request: dict[str, Any]) -> dict[str, Any]: ...
