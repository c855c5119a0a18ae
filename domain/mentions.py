"""Which people a text names: ``@handle`` in a comment or a caption.

A mention is ``@`` followed by a handle (``accounts.rules``: letters A-Z, digits, ``_`` and ``.``,
3 to 24 of them, not starting with ``.``), where the ``@`` does not follow a letter, digit, ``.`` or
another ``@`` (so ``ann@example.com`` names nobody). Dots that end the run are the sentence's, not the
handle's: "thanks @mira." names ``mira``. A run longer than a handle can be names nobody (it is not
cut down to one that might belong to someone else).

Handles compare regardless of case (``handle_key``), so each is returned in that form, once, in the
order first named, and at most ``MAX_MENTIONS`` of them: a comment naming a hundred people tells
the first ten, so a mention cannot be used to reach a crowd. The web client draws the same runs as
links (``web/src/comments/mentions.ts``).
"""

from __future__ import annotations

import re

from domain.accounts.rules import HANDLE_MAX, HANDLE_MIN, handle_key

#: The people one text can notify.
MAX_MENTIONS = 10
_MENTION = re.compile(r"(?<![\w.@])@([A-Za-z0-9_][A-Za-z0-9_.]*)")


def mentioned_handles(text: str | None) -> list[str]:
    """The handles ``text`` names (as ``handle_key`` spells them), first named first; none when the
    text is erased (``None``)."""
    found: dict[str, None] = {}
    for match in _MENTION.finditer(text or ""):
        handle = match.group(1).rstrip(".")
        if HANDLE_MIN <= len(handle) <= HANDLE_MAX:
            found.setdefault(handle_key(handle), None)
            if len(found) == MAX_MENTIONS:
                break
    return list(found)
