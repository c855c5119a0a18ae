"""The append-only event log: its port, envelope, hash chain, sealing and adapters."""
