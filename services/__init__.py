"""Application services: one use case each, combining ports (DESIGN.md §2)."""
