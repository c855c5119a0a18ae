"""Leases: which process does, for now, what only one process at a time may (``services.leases``).

A row per lease, written only through the store's conditional writes (``insert_if_absent`` to take
it, ``replace_if`` to renew it, ``delete_if_present`` to give it up), so that on Cassandra every
change of hands is ordered by Paxos. The row expires with its TTL: a holder that stopped renewing
(killed, cut off) gives the lease up by itself.
"""

from __future__ import annotations

from read_models.tables import TEXT, Table, columns_of

LEASES = Table("process_leases", columns=columns_of(name=TEXT, holder=TEXT), partition_key=("name",))
