"""progress: one callback shape, and every long step in the package takes it by that name."""
from __future__ import annotations

import ast
import typing
from pathlib import Path

import factcheck
from factcheck import progress

PACKAGE = Path(factcheck.__file__).parent


def test_progress_is_done_total_label():
    assert typing.get_args(progress.Progress) == ([int, int, str], None)


def test_every_progress_parameter_is_annotated_progress():
    """A callback shape spelled out again (Callable[[int, int, str], None], or none at all) is a second name."""
    found, wrong = 0, []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for arg in (*node.args.args, *node.args.kwonlyargs):
                if arg.arg == "progress":
                    found += 1
                    if arg.annotation is None or "Progress" not in ast.unparse(arg.annotation):
                        wrong.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}")
    assert found >= 5  # the facade, ingest, index sync and the encoders take one
    assert not wrong, wrong
