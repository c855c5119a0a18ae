"""A story told twice, to a system whose well-formed requests take the short path
(``api.short_path``) and to one whose requests all go the documented way, so a test can compare
what each answered."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from starlette.routing import Match

from api.short_path import ShortPath, _Lane

S = TypeVar("S")


def told_both_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, story: Callable[[Path], S], tell: Callable[[S], None]
) -> tuple[S, S, list[str]]:
    """The story with the short path, the story without it, and the paths the short path answered
    itself (all in the first telling)."""
    answered: list[str] = []
    answer = _Lane.answer

    async def counted(self: _Lane, http: Any) -> Any:
        answered.append(http.url.path)
        return await answer(self, http)

    monkeypatch.setattr(_Lane, "answer", counted)
    with_it = story(tmp_path / "short")
    tell(with_it)
    taken = len(answered)
    monkeypatch.setattr(ShortPath, "matches", lambda self, scope: (Match.NONE, {}))
    without = story(tmp_path / "long")
    tell(without)
    assert len(answered) == taken, "a request told the documented way took the short path"
    return with_it, without, answered
