"""Type stubs of the compiled extension (the Rust side of the package)."""

from fractions import Fraction
from typing import Any, Callable, Optional, Sequence, TypedDict, Union, final


import numpy as np
import numpy.typing as npt

__all__ = [
    "BayesianGame",
    "EquilibriumStream",
    "Game",
    "Mdp",
    "PowerPartial",
    "StochasticGame",
    "TENDENCY_CHUNK",
    "__version__",
    "alignment",
    "check",
    "conflict_calibrate",
    "conflict_infer",
    "conflict_phase",
    "conflict_simulate",
    "exact_power",
    "finish_power",
    "game_power",
    "iter_equilibria",
    "learned",
    "trained_tendency",
    "trained_report",
    "compatible",
    "mdp_tendency",
    "mean_dominance",
    "memory_limit",
    "most_cycle",
    "multi_power",
    "multi_sweep",
    "orbit",
    "parse_gammas",
    "pomdp_power",
    "pomdp_tendency",
    "power",
    "power_partials",
    "power_shards",
    "power_sweep",
    "scarcity",
    "scarcity_default_lambdas",
    "set_memory_limit",
    "solve",
    "solve_bayesian",
    "stochastic_game_dense",
    "stochastic_game_grid",
    "stochastic_game_json",
    "stochastic_game_random",
    "stochastic_power",
    "stochastic_sweep",
    "stochastic_lambda_sweep",
    "stochastic_type_power",
    "stochastic_incomplete_power",
    "visit_distributions",
]

__version__: str

#: ``progress=``: None, or a callable ``f(done, total)`` (the Python wrappers
#: also accept True and tqdm-like bars, and turn them into such a callable).
_ProgressArg = Optional[Callable[[int, Optional[int]], Any]]
_LayoutArg = tuple[int, int, list[bool], list[tuple[int, int]]]
_ActionRow = tuple[int, str, list[tuple[int, float]]]

@final
class Mdp:
    """A finite MDP: states, actions and transition probabilities (no rewards). Picklable; ``==`` compares structure."""

    @staticmethod
    def load(path: str) -> Mdp:
        """Load a .grid, .json, .mdp or .pomdp file."""
    @staticmethod
    def gridworld(text: str, origin: str = "<gridworld>") -> Mdp:
        """Parse gridworld text."""
    @staticmethod
    def _from_numpy(
        transitions: npt.NDArray[np.float64],
        state_names: list[str],
        action_names: list[str],
        features: Optional[tuple[list[str], npt.NDArray[np.float64]]] = None,
    ) -> Mdp: ...
    @staticmethod
    def _from_sparse(
        state_names: list[str],
        action_names: list[str],
        state: npt.NDArray[np.uint64],
        action: npt.NDArray[np.uint64],
        next: npt.NDArray[np.uint64],
        prob: npt.NDArray[np.float64],
        features: Optional[tuple[list[str], npt.NDArray[np.float64]]] = None,
    ) -> Mdp: ...
    @staticmethod
    def _build(
        state_names: list[str],
        actions: list[_ActionRow],
        features: Optional[tuple[list[str], list[float]]] = None,
        layout: Optional[_LayoutArg] = None,
        start: Optional[int] = None,
        discount: Optional[float] = None,
    ) -> Mdp: ...
    @staticmethod
    def _from_parts(state_names: list[str], actions: list[_ActionRow]) -> Mdp: ...
    def parts(self) -> tuple[list[str], list[_ActionRow]]:
        """`(state_names, [(state, action, [(next, p), ...]), ...])`."""
    def _spec(
        self,
    ) -> tuple[
        list[str],
        list[_ActionRow],
        Optional[tuple[list[str], list[float]]],
        Optional[_LayoutArg],
        Optional[int],
        Optional[float],
    ]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    @property
    def n_states(self) -> int: ...
    @property
    def state_names(self) -> list[str]: ...
    @property
    def actions(self) -> list[list[str]]:
        """The action names available at each state, in the order of result columns."""
    @property
    def discount(self) -> Optional[float]: ...
    @property
    def start(self) -> Optional[int]: ...
    @property
    def features(self) -> Optional[tuple[list[str], npt.NDArray[np.float64]]]: ...
    @property
    def layout(self) -> Optional[_LayoutArg]: ...

@final
class PowerPartial:
    """Statistics of a run of reward samples; merge with `finish_power`. Picklable."""

    @staticmethod
    def _from_json(text: str) -> PowerPartial: ...
    def _to_json(self) -> str: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Game:
    """An n-player normal-form game with exact rational payoffs. Picklable."""

    @staticmethod
    def load(path: str) -> Game:
        """Load a Gambit .nfg or a JSON game."""
    @staticmethod
    def _from_flat(shape: list[int], payoffs: list[float]) -> Game: ...
    @staticmethod
    def _from_flat_exact(shape: list[int], payoffs: list[str]) -> Game: ...
    @staticmethod
    def _from_text(text: str, extension: str, origin: str = "<text>") -> Game: ...
    @staticmethod
    def _from_nfg(text: str) -> Game: ...
    def to_nfg(self, header: str = "names") -> str:
        """The game in Gambit's .nfg format; header "counts" for the form OpenSpiel reads."""
    def _flat_payoffs(self) -> list[float]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def shape(self) -> list[int]:
        """Number of actions of each player."""
    @property
    def players(self) -> list[str]: ...
    @property
    def actions(self) -> list[list[str]]: ...

@final
class BayesianGame:
    """A Bayesian game (types with a common prior); normal-form games have one type each."""

    @staticmethod
    def load(path: str) -> BayesianGame:
        """Load a one-stage .efg, a Bayesian or normal-form .json, or a .nfg."""
    @staticmethod
    def from_game(game: Game) -> BayesianGame: ...
    @staticmethod
    def _from_text(text: str, extension: str, origin: str = "<text>") -> BayesianGame: ...
    @staticmethod
    def _from_parts(
        title: str,
        players: list[str],
        types: list[list[str]],
        actions: list[list[str]],
        prior: list[Fraction],
        payoffs: list[Fraction],
    ) -> BayesianGame: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    @property
    def prior(self) -> list[Fraction]: ...
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
def solve(
    game: Game, method: Optional[str] = None, all: bool = False, progress: _ProgressArg = None, threads: Optional[int] = None
) -> dict[str, Any]:
    """`powerseek game solve`'s report (exact values as Fractions; `choice`: why the default method, None when asked for)."""
@final
class EquilibriumStream:
    """Equilibria as found (dicts); `summary` once exhausted."""

    def __iter__(self) -> EquilibriumStream: ...
    def __next__(self) -> dict[str, Any]: ...
    @property
    def summary(self) -> Optional[dict[str, Any]]: ...

def iter_equilibria(game: Game, method: Optional[str] = None, all: bool = True) -> EquilibriumStream:
    """`powerseek game solve --format jsonl`'s equilibria, streamed."""

def solve_bayesian(
    game: BayesianGame,
    method: Optional[str] = None,
    all: bool = False,
    progress: _ProgressArg = None,
    threads: Optional[int] = None,
) -> dict[str, Any]:
    """`powerseek game solve`'s report for a Bayesian game (exact values as Fractions; `choice` as for `solve`)."""
def game_power(
    game: Union[Game, BayesianGame],
    profile: Union[None, str, list[list[Fraction]], list[list[list[Fraction]]]] = None,
    progress: _ProgressArg = None,
    threads: Optional[int] = None,
) -> dict[str, Any]:
    """`powerseek game power`'s report: profile None, "uniform", [player][action] or [player][type][action]."""
def alignment(
    game: Game, weights: Optional[list[Fraction]] = None, progress: _ProgressArg = None, threads: Optional[int] = None
) -> dict[str, Any]:
    """`powerseek game align`'s report."""
class _PowerArgs(TypedDict, total=False):
    """The options of every POWER call (the library's PowerRequest; missing ones take its defaults)."""

    gamma: float
    samples: int
    dist: str
    seed: int
    tolerance: float
    antithetic: bool
    batch: Optional[int]

def power(mdp: Mdp, args: _PowerArgs, progress: _ProgressArg = None, threads: Optional[int] = None) -> dict[str, Any]: ...
def power_sweep(
    mdp: Mdp, args: _PowerArgs, gammas: Sequence[float], states: Optional[Sequence[str]] = None
) -> dict[str, Any]: ...
def parse_gammas(text: str) -> list[float]: ...
def power_shards(mdp: Mdp, args: _PowerArgs, shards: int) -> list[tuple[int, int]]: ...
def power_partials(
    mdp: Mdp, first: int, end: int, args: _PowerArgs, progress: _ProgressArg = None, threads: Optional[int] = None
) -> list[PowerPartial]: ...
def visit_distributions(mdp: Mdp, request: dict[str, Any]) -> dict[str, Any]: ...
def exact_power(mdp: Mdp, request: dict[str, Any]) -> dict[str, Any]: ...
def finish_power(mdp: Mdp, partials: Sequence[PowerPartial], args: _PowerArgs) -> dict[str, Any]: ...
def orbit(
    request: dict[str, Any],
    decision_maker: Optional[Callable[[npt.NDArray[np.float64]], Sequence[float]]] = None,
    progress: _ProgressArg = None,
    threads: Optional[int] = None,
) -> dict[str, Any]:
    """`retarget orbit`: fields of the library's OrbitRequest in, its OrbitReport out."""
def check(
    request: dict[str, Any],
    decision_maker: Optional[Callable[[npt.NDArray[np.float64]], Sequence[float]]] = None,
    progress: _ProgressArg = None,
    threads: Optional[int] = None,
) -> dict[str, Any]: ...
def mdp_tendency(
    mdp: Mdp, request: dict[str, Any], progress: _ProgressArg = None, threads: Optional[int] = None
) -> dict[str, Any]: ...
def learned(
    mdp: Mdp, request: dict[str, Any], progress: _ProgressArg = None, threads: Optional[int] = None
) -> dict[str, Any]: ...
def trained_tendency(
    mdp: Mdp,
    request: dict[str, Any],
    trainer: Optional[Callable[[npt.NDArray[np.float64], int], Any]] = None,
    progress: _ProgressArg = None,
    threads: Optional[int] = None,
) -> dict[str, Any]:
    """Fields of the library's TrainedRequest in, its TrainedReport out."""
def trained_report(
    mdp: Mdp, request: dict[str, Any], trainer: Optional[str], counts: Sequence[dict[str, int]]
) -> dict[str, Any]: ...
def compatible(
    mdp: Mdp, request: dict[str, Any], progress: _ProgressArg = None, threads: Optional[int] = None
) -> dict[str, Any]: ...
def mean_dominance(
    request: dict[str, Any],
    decision_maker: Optional[Callable[[npt.NDArray[np.float64]], Sequence[float]]] = None,
) -> dict[str, Any]: ...
def most_cycle(
    request: dict[str, Any],
    decision_maker: Optional[Callable[[npt.NDArray[np.float64]], Sequence[float]]] = None,
) -> dict[str, Any]: ...

TENDENCY_CHUNK: int
class _ScarcityOptions(TypedDict, total=False):
    """The sweep's options (the library's _ScarcityOptions; missing ones take its defaults)."""

    players: int
    actions: int
    types: int
    games: int
    lambdas: list[float]
    seed: int

def scarcity(
    options: _ScarcityOptions, only: Optional[int] = None, progress: _ProgressArg = None, threads: Optional[int] = None
) -> dict[str, Any]:
    """`powerseek experiment scarcity`'s report."""
def scarcity_default_lambdas() -> list[float]: ...
def multi_power(
    grid: Mdp,
    request: dict[str, Any],
    rho: Optional[float] = None,
    progress: _ProgressArg = None,
    threads: Optional[int] = None,
) -> dict[str, Any]:
    """`multi power`: fields of the library's MultiRequest in, its report out."""
def multi_sweep(
    grid: Mdp, request: dict[str, Any], rhos: list[float], progress: _ProgressArg = None, threads: Optional[int] = None
) -> dict[str, Any]: ...
def conflict_simulate(text: str) -> dict[str, Any]: ...
def conflict_phase(request: dict[str, Any]) -> dict[str, Any]: ...
def conflict_infer(
    request: dict[str, Any],
    observations: Optional[str] = None,
    progress: _ProgressArg = None,
    threads: Optional[int] = None,
) -> dict[str, Any]: ...
def conflict_calibrate(
    request: dict[str, Any], progress: _ProgressArg = None, threads: Optional[int] = None
) -> dict[str, Any]: ...

@final
class StochasticGame:
    """A finite n-player stochastic game (without rewards)."""
    @property
    def players(self) -> list[str]: ...
    @property
    def states(self) -> list[str]: ...
    @property
    def n_joint_actions(self) -> int: ...
    @property
    def play(self) -> str: ...
    def actions(self, s: int, i: int) -> list[str]: ...
    def to_json(self) -> str: ...

def stochastic_game_json(text: str, origin: str) -> StochasticGame: ...
def stochastic_game_random(spec: dict[str, Any]) -> StochasticGame: ...
def stochastic_game_dense(
    players: list[str],
    states: list[str],
    actions: list[list[list[str]]],
    transitions: list[list[list[float]]],
    movers: Optional[list[int]] = None,
) -> StochasticGame: ...
def stochastic_game_grid(grid: Mdp, agents: int, turns: str, no_overlap: bool, noise: float) -> StochasticGame: ...
def stochastic_power(game: StochasticGame, request: dict[str, Any]) -> dict[str, Any]: ...
def pomdp_power(path: str, request: dict[str, Any]) -> dict[str, Any]: ...
def pomdp_tendency(path: str, request: dict[str, Any]) -> dict[str, Any]: ...
def stochastic_sweep(game: StochasticGame, request: dict[str, Any], rhos: list[float]) -> dict[str, Any]: ...
def stochastic_type_power(game: StochasticGame, request: dict[str, Any], types: dict[str, Any]) -> dict[str, Any]: ...
def stochastic_incomplete_power(game: StochasticGame, request: dict[str, Any], types: dict[str, Any]) -> dict[str, Any]: ...
def stochastic_lambda_sweep(
    game: StochasticGame,
    request: dict[str, Any],
    lambdas: list[float],
    progress: _ProgressArg = None,
    threads: Optional[int] = None,
) -> dict[str, Any]: ...
