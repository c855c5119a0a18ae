"""The composition root: settings, wiring of adapters from URLs, and the CLI."""
