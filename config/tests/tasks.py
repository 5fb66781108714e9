"""Tasks used only by the tests of the task workers: their effects are files the test can read."""

import time
from pathlib import Path

from django_tasks import task


@task()
def add(a: int, b: int) -> int:
    return a + b


@task()
def write_after(path: str, seconds: float) -> None:
    """Mark the start, wait, then append one line: a run killed half-way leaves no line."""
    Path(f"{path}.started").touch()
    time.sleep(seconds)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("done\n")
