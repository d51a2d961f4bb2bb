"""The stubs say what the module is: `lms.aio`'s stubs list `lms.Scope`'s use cases with
the same parameters (stubtest and `mypy --strict` run in CI, see `.ci/run`)."""

from __future__ import annotations

import ast
import pathlib

import lms

PACKAGE = pathlib.Path(lms.__file__).parent


def methods(stub: str, cls: str) -> dict[str, list[str]]:
    tree = ast.parse((PACKAGE / stub).read_text())
    found: dict[str, list[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == cls:
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and not item.name.startswith("_"):
                    args = item.args
                    found[item.name] = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs] + (
                        ["**" + args.kwarg.arg] if args.kwarg else [])
    return found


def test_the_async_stubs_follow_the_sync_ones() -> None:
    sync, asynchronous = methods("_native.pyi", "Scope"), methods("aio.pyi", "Scope")
    assert sync and sync == asynchronous


def test_the_stubs_name_every_runtime_method() -> None:
    runtime = {n for n in dir(lms.Scope) if not n.startswith("_")}
    assert runtime == set(methods("_native.pyi", "Scope")) | {"actor"}
    assert set(lms._native.__all__) <= set(dir(lms._native))  # type: ignore[attr-defined]
    assert (PACKAGE / "py.typed").exists()
