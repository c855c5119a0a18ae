"""Dependencies point inward: each layer imports only what DESIGN.md §2 allows."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = {
    "domain", "commands", "eventstore", "projections", "read_models", "migrations", "plumbing",
    "api", "workers", "media", "recommend", "services", "strom", "benchmarks", "tests",
}  # fmt: skip
ALLOWED: dict[str, set[str]] = {
    "domain": {"domain"},
    "eventstore": {"eventstore", "domain", "plumbing"},
    "commands": {"commands", "domain", "eventstore"},
    # The recommendations projection teaches the online model as it applies events: the same
    # learner the offline benchmark runs, so the model's update rule lives in one place.
    "projections": {"projections", "domain", "eventstore", "read_models", "recommend", "plumbing"},
    "read_models": {"read_models", "plumbing"},
    # Small pieces shared across layers (the SQLite adapters' connections, a repeating thread);
    # they depend on nothing of ours.
    "plumbing": {"plumbing"},
    "migrations": {"migrations", "read_models"},
    # The upload and delivery routes probe files and move bytes: media is a library to them.
    # For You pages are assembled per request: the API reads candidates and hands them to recommend.
    "api": {"api", "commands", "read_models", "domain", "media", "recommend", "services"},
    # Application services combine ports for one use case each (DESIGN.md §2).
    "services": {"services", "commands", "read_models", "recommend", "media", "domain"},
    "workers": {"workers", "commands", "media", "recommend", "domain"},
    "media": {"media", "domain"},
    "recommend": {"recommend", "domain"},
}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def modules_of(layer: str) -> list[Path]:
    return sorted((ROOT / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_layer_imports_only_the_layers_it_may(layer: str) -> None:
    offending = {
        f"{path.relative_to(ROOT)} imports {root}"
        for path in modules_of(layer)
        for root in imported_roots(path) & OURS
        if root not in ALLOWED[layer]
    }
    assert offending == set()


def test_the_domain_imports_nothing_but_the_standard_library() -> None:
    outside = {
        f"{path.relative_to(ROOT)} imports {root}"
        for path in modules_of("domain")
        for root in imported_roots(path)
        if root not in sys.stdlib_module_names and root not in {"domain", "__future__"}
    }
    assert outside == set()
