"""Store files only their owner may read: they hold personal data and the keys that unseal it, and
no other account on the host has any business with them (DESIGN.md §12).

The ``strom`` command also sets its umask to 077; these helpers make a library caller that does not
go through it just as safe.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700
#: SQLite's companion files: they hold pages of the database, so they are as private as it is.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def make_folder(folder: Path) -> None:
    """Creates ``folder`` and its missing parents owner-only. A folder that exists is left as it is:
    a store may sit in a home or working folder that is not ours to narrow."""
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(mode=FOLDER_MODE, exist_ok=True)


def private_sqlite_file(path: Path) -> None:
    """Creates the database file owner-only before SQLite opens it, since SQLite creates its ``-wal``
    and ``-shm`` with the main file's mode. Files an older version left readable are narrowed."""
    make_folder(path.parent)
    os.close(os.open(path, os.O_RDONLY | os.O_CREAT, FILE_MODE))
    for file in (path, *(path.with_name(path.name + suffix) for suffix in SQLITE_COMPANIONS)):
        with contextlib.suppress(FileNotFoundError):
            if file.stat().st_mode & 0o077:
                os.chmod(file, FILE_MODE)
