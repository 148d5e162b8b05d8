"""APL checks for the screen tests: Amazon's validator run offline, and data-binding paths.

``validate`` runs apl-suggester's StaticAplTemplateValidator under node (installed by
``python3 dev.py test`` into .cache/node_modules; ``APL_SUGGESTER_MODULES`` points there).
``unbound_paths`` lists every ``${screen....}`` / ``${data....}`` reference of a document that
the data source the skill sent with it does not have.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("apl_validate.js")
EXPRESSION = re.compile(r"\$\{(.*?)\}")
# A reference to the data source: screen.a.b, or data / data.a inside a data-bound container.
REFERENCE = re.compile(r"(?<![\w.'])(screen|data)((?:\.\w+)*)")
ARRAY_PROPERTIES = {"length"}


def suggester_modules() -> Path:
    modules = Path(os.environ.get("APL_SUGGESTER_MODULES") or ROOT / ".cache" / "node_modules")
    if not (modules / "apl-suggester" / "package.json").exists():
        raise RuntimeError(f"apl-suggester is not installed in {modules}: run `python3 dev.py test` once")
    if shutil.which("node") is None:
        raise RuntimeError("node is not on PATH: `python3 dev.py test` installs it with npm")
    return modules


def validate(documents: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """apl-suggester's findings per document name (an empty list is a clean document)."""
    done = subprocess.run(["node", str(SCRIPT), str(suggester_modules())], input=json.dumps(documents),
                          capture_output=True, text=True, timeout=120, check=True)
    findings: dict[str, list[dict[str, Any]]] = json.loads(done.stdout)
    return findings


def _resolve(value: Any, names: list[str]) -> bool:
    for name in names:
        if isinstance(value, list) and name in ARRAY_PROPERTIES:
            return True
        if not isinstance(value, dict) or name not in value:
            return False
        value = value[name]
    return True


def _references(text: str) -> list[tuple[str, list[str]]]:
    found = []
    for expression in EXPRESSION.findall(text):
        without_strings = re.sub(r"'[^']*'", "''", expression)
        for root, path in REFERENCE.findall(without_strings):
            found.append((root, [part for part in path.split(".") if part]))
    return found


def unbound_paths(document: dict[str, Any], datasource: dict[str, Any]) -> list[str]:
    """Paths the document's main template binds that ``datasource`` (the "screen" object) lacks.

    Inside a component with ``"data": "${screen.list}"`` the children's ``data`` is each element of
    that list, so every element must have what they bind. Layout bodies bind their own parameters,
    which their callers set from the same references, so walking the main template covers them.
    """
    missing: list[str] = []

    def check(text: str, elements: list[Any] | None) -> None:
        for root, names in _references(text):
            if root == "screen" and not _resolve(datasource, names):
                missing.append("screen." + ".".join(names))
            if root == "data":
                if elements is None:
                    missing.append("data." + ".".join(names) + " (outside a data-bound component)")
                missing.extend(f"data.{'.'.join(names)} (element {i})" for i, element in enumerate(elements or [])
                               if not _resolve(element, names))

    def walk(node: Any, elements: list[Any] | None) -> None:
        if isinstance(node, str):
            check(node, elements)
        elif isinstance(node, list):
            for item in node:
                walk(item, elements)
        elif isinstance(node, dict):
            inner = elements
            bound = node.get("data")
            if isinstance(bound, str):
                check(bound, elements)
                match = EXPRESSION.fullmatch(bound.strip())
                names = match.group(1).split(".")[1:] if match and match.group(1).startswith("screen.") else []
                value: Any = datasource
                for name in names:
                    value = value.get(name) if isinstance(value, dict) else None
                inner = value if isinstance(value, list) else []
            for key, child in node.items():
                if key != "data":
                    walk(child, inner)

    walk(document["mainTemplate"], None)
    return missing
