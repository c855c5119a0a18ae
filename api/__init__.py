"""The HTTP API: commands in, queries out."""
