"""Shared fixtures: paths into the repository and the CLI binary built by cargo."""

import os
import pathlib
import shutil

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples"


@pytest.fixture(scope="session")
def cli():
    """The `powerseek` binary cargo built most recently (debug from `cargo test`, or release)."""
    built = [p for p in (REPO / "target" / profile / "powerseek" for profile in ("debug", "release")) if p.exists()]
    if built:
        return str(max(built, key=lambda p: p.stat().st_mtime))
    found = shutil.which("powerseek")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("the powerseek CLI was not built (run cargo test --workspace first)")
    pytest.skip("the powerseek CLI is not built")
