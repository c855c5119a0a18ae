"""Small pieces that belong to no layer: they import nothing of ours."""
