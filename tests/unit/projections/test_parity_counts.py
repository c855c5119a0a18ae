"""A rebuild's row counts: a difference in a table blocks the switch, unless the table's rows expire
by the clock (old ones expired, new ones were all just written), which are counted but not compared."""

from __future__ import annotations

from projections.parity import Count, Report


def report(*counts: Count) -> Report:
    return Report(counts=counts, counts_comparable=True, sample="slice 0/1", sampled_rows=0, mismatches=())


def test_a_count_that_differs_blocks_the_switch_unless_its_rows_expire() -> None:
    assert not report(Count("notif_inbox", 5, 6)).ok()
    assert report(Count("notif_changes", 5, 900, expires=True)).ok()
    assert "not compared" in "\n".join(report(Count("notif_changes", 5, 900, expires=True)).lines())
