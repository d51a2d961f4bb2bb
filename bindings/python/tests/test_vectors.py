"""The shared conformance vectors (`tests/vectors/*.json` at the repository's root)
through the installed package: the same files lms-core runs."""

from __future__ import annotations

import datetime
import json
import pathlib
import uuid
from typing import Any

import pytest

import lms

VECTORS = pathlib.Path(__file__).resolve().parents[3] / "tests" / "vectors"


def plain(value: Any) -> Any:
    """A result as JSON would have it: ids and times back to their text."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
    return value


def matches(expected: Any, actual: Any, exact: bool) -> bool:
    """The partial match of tests/vectors/README.md."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        if exact and len(expected) != len(actual):
            return False
        return all(k in actual and matches(v, actual[k], exact) for k, v in expected.items())
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(matches(e, a, exact) for e, a in zip(expected, actual))
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return float(expected) == float(actual)
    if isinstance(expected, str) and isinstance(actual, str) and expected.endswith("Z") and "T" in expected:
        try:
            return datetime.datetime.fromisoformat(expected.replace("Z", "+00:00")) == \
                datetime.datetime.fromisoformat(actual.replace("Z", "+00:00"))
        except ValueError:
            pass
    return bool(expected == actual)


def cases() -> list[Any]:
    found = []
    files = sorted(VECTORS.glob("*.json"))
    assert len(files) >= 6, f"no vectors in {VECTORS}"
    for path in files:
        doc = json.loads(path.read_text())
        for case in doc["cases"]:
            found.append(pytest.param(case.get("function", doc["function"]), case,
                                      id=f"{path.stem}: {case['name']}"))
    return found


@pytest.mark.parametrize(("function", "case"), cases())
def test_vector(function: str, case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(lms.LmsError) as refused:
            lms.call_rule(function, case["input"])
        assert refused.value.code == case["error"]["code"]
        paths = [path for path, _ in refused.value.problems]
        for path in case["error"].get("paths", []):
            assert path in paths, (path, paths)
    else:
        out = plain(lms.call_rule(function, case["input"]))
        assert matches(case["output"], out, case.get("exact", False)), (out, case["output"])
