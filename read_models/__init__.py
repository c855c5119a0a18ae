"""Read models: table declarations, the read-store port and its adapters."""
