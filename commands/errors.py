"""Failures of the write side that are not decisions of the domain."""

from __future__ import annotations


class Unavailable(Exception):
    """The event store cannot be reached or is locked; the client may retry later (503)."""
