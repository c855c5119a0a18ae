"""Small pieces the SQLite adapters share and that belong to no layer: they import nothing of ours."""
