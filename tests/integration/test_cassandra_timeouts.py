"""A write the real node does not answer in time surfaces as our retryable error, not the driver's."""

from __future__ import annotations

import uuid

import pytest

from read_models.cassandra import CassandraReadStore
from read_models.errors import RetryableReadError, RetryableWriteError
from read_models.tables import INT, TEXT, Table, columns_of
from tests.contract.read_store_backends import cassandra_address

ROWS = Table("timeout_rows", columns_of(k=TEXT, n=INT), ("k",))


def test_a_request_past_its_timeout_is_a_retryable_error_of_ours() -> None:
    # Given a keyspace and table made on the real node, and a second client with a 0.1 ms budget
    keyspace = f"strom_test_{uuid.uuid4().hex[:12]}"
    url = f"cassandra://{cassandra_address()}/{keyspace}?replication=simple:1"
    patient = CassandraReadStore.from_url(url)
    patient.ensure_keyspace()
    patient.create_table(ROWS)
    hasty = CassandraReadStore.from_url(url + "&request_timeout=0.0001")
    try:
        # When / Then
        with pytest.raises(RetryableWriteError):
            hasty.upsert(ROWS, {"k": "a", "n": 1})
        with pytest.raises(RetryableReadError):
            hasty.ping()
    finally:
        hasty.close()
        patient.drop_keyspace()
        patient.close()
