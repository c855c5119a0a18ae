"""Coroutines run to the end from a synchronous test."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on a thread of its own. The browser tests' driver keeps an event loop running on
    the main thread for the whole session, and ``asyncio.run`` refuses to start beneath a running loop;
    a test run after them must not depend on which tests ran first."""
    with ThreadPoolExecutor(1, thread_name_prefix="test-loop") as pool:
        return pool.submit(asyncio.run, main).result()
