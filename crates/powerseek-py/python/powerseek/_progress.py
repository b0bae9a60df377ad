"""The ``progress=`` and ``threads=`` arguments of every long call.

``progress`` is one of:

- ``None`` or ``False``: no progress reports (the default);
- ``True``: a ``tqdm.auto`` bar (a widget in Jupyter, text elsewhere; needs
  ``pip install tqdm``), closed when the call returns;
- a tqdm-like bar of your own (anything with ``update(n)``; its ``total`` is
  set when the computation knows it), left open;
- a callable ``f(done, total)``: ``done`` units of work so far, ``total`` once
  known (else None). The unit is the computation's own: reward samples for
  POWER, games for scarcity, parameters or permutations for orbits, ...

Reports come on the calling thread, at most every 20 ms and once at the end.
An exception raised by the callback stops the computation and is raised.

``threads`` is the number of worker threads for this call (None: all cores);
results do not depend on it.
"""

from __future__ import annotations

import operator
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional

ProgressCallback = Callable[[int, Optional[int]], Any]


def threads_arg(threads) -> Optional[int]:
    """A ``threads=`` argument: None, or a positive integer (numpy integers too)."""
    if threads is None:
        return None
    try:
        count = None if isinstance(threads, bool) else operator.index(threads)
    except TypeError:
        count = None
    if count is None or count < 1:
        raise ValueError(f"threads must be a positive integer or None (got {threads!r})")
    return count


def _bar_callback(bar) -> ProgressCallback:
    """``f(done, total)`` driving a tqdm-like bar."""
    sent = 0

    def update(done: int, total: Optional[int]) -> None:
        nonlocal sent
        if total is not None and getattr(bar, "total", None) != total:
            bar.total = total
            refresh = getattr(bar, "refresh", None)
            if refresh is not None:
                refresh()
        step = done - sent
        sent = done
        if step > 0:
            bar.update(step)

    return update


@contextmanager
def progress_callback(progress, desc: Optional[str] = None) -> Iterator[Optional[ProgressCallback]]:
    """The callback the native call takes for a ``progress=`` argument (see the module doc)."""
    if progress is None or progress is False:
        yield None
        return
    if progress is True:
        try:
            from tqdm.auto import tqdm  # type: ignore[import-untyped, unused-ignore]
        except ImportError as e:
            raise ImportError("progress=True needs tqdm: pip install tqdm (or 'powerseek[progress]')") from e
        bar = tqdm(desc=desc, unit="")
        try:
            yield _bar_callback(bar)
        finally:
            bar.close()
        return
    if hasattr(progress, "update") and callable(progress.update):
        yield _bar_callback(progress)
        return
    if callable(progress):
        yield progress
        return
    raise ValueError(
        f"progress must be None, True, a tqdm-like bar (with update(n)) or a callable f(done, total) (got {progress!r})"
    )
