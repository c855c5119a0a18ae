"""Numbered read-store migrations and their runner."""
