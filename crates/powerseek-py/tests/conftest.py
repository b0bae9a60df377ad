"""Shared fixtures: paths into the repository and the CLI binary built by cargo."""

import pathlib
import shutil
import subprocess

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
    # Not built yet: build it (never skip the CLI parity tests).
    subprocess.run(["cargo", "build", "-q", "-p", "powerseek-cli"], cwd=REPO, check=True)
    return str(REPO / "target" / "debug" / "powerseek")
