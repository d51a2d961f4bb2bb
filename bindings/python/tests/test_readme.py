"""The README's Python examples run against a fresh database, so they never rot; the
example back end's demo too."""

from __future__ import annotations

import os
import pathlib
import re
import runpy
import sys
from typing import Iterator

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]


def python_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Use from Python", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert blocks, "no python block in the README's 'Use from Python' section"
    return blocks


@pytest.fixture
def env_database(database_url: str) -> Iterator[None]:
    before = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = database_url
    try:
        yield
    finally:
        if before is not None:
            os.environ["DATABASE_URL"] = before


def test_the_readme_session_runs(env_database: None, capsys: pytest.CaptureFixture[str]) -> None:
    for block in python_blocks():
        exec(compile(block, "README.md", "exec"), {"__name__": "readme"})
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        "score 0 passed False",
        "score 0 passed False",
        "refused (attempt_limit_reached, HTTP 409): at most 2 attempts",
        # the quiz failed: its lesson reviewed (half of the default 30 minutes, plus the
        # default 15 of an untimed quiz), then the final (15); the lesson names no skill
        "['review', 'assessment'] 2 steps, about 45 minutes at a medium pace. Review: “Ownership”.",
        # the lesson not completed; its one question earned nothing in the two attempts
        "[0] [0.0]",
        "100",
    ], printed


def test_the_web_backend_pattern_runs(env_database: None, capsys: pytest.CaptureFixture[str]) -> None:
    sys.argv = ["web_backend.py"]
    runpy.run_path(str(ROOT / "examples" / "python" / "web_backend.py"), run_name="__main__")
    assert "limit 409" in capsys.readouterr().out
