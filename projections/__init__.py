"""Projectors: from the event stream to read-model rows."""
