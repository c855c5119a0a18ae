"""Turns requests into events: load, fold, decide, append."""
