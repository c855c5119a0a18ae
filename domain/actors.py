"""Who is acting. Every command carries its actor, so every decision can check permission."""

from __future__ import annotations

import dataclasses
import enum


class Role(enum.StrEnum):
    USER = "user"
    MODERATOR = "moderator"
    AUDITOR = "auditor"
    ADMIN = "admin"


@dataclasses.dataclass(frozen=True, slots=True)
class Actor:
    user_id: str
    role: Role = Role.USER

    @property
    def moderates(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN)


#: The erasure cascade: it deletes an erased person's videos and releases their claims. It has no
#: role beyond a user's; the deciders that let it act name it.
ERASER = Actor("system:erasure")
