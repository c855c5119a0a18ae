from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.api.harness import System


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    """A fresh write side per test: its own event log, key store and app."""
    s = System(tmp_path)
    yield s
    s.close()
