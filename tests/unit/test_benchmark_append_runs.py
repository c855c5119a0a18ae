"""The append benchmark still runs end to end; how fast is the benchmark's verdict, never this test's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from benchmarks.append import main


def test_quick_run_writes_a_positive_rate_for_every_operation(tmp_path: Path) -> None:
    # Given
    out = tmp_path / "append.json"

    # When
    code = main(["--quick", "--out", str(out)])

    # Then
    assert code == 0
    results: dict[str, Any] = orjson.loads(out.read_bytes())
    operations = results["operations"]
    for name in ("single_append", "batched_append", "read_all"):
        assert operations[name]["ours"]["per_s"] > 0
        assert operations[name]["limit"]["per_s"] > 0
    assert operations["read_all"]["ours"]["count"] == operations["read_all"]["limit"]["count"]
    assert {"cpu_count", "python", "sqlite", "timestamp"} <= results["machine"].keys()
