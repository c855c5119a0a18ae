"""The capacity plan (docs/capacity.md) is what scripts/capacity.py computes from the benchmark results,
and the script's arithmetic and its handling of missing results hold."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import capacity  # noqa: E402
from capacity_inputs import NEEDED, event_size  # noqa: E402


def test_the_document_holds_the_figures_the_script_computes_from_the_results() -> None:
    # Given the results in benchmarks/results/ and the model in the script
    figures, missing = capacity.render()
    # Then docs/capacity.md holds exactly those figures
    doc = capacity.DOC.read_text()
    assert missing == []
    assert capacity.spliced(doc, figures) == doc, "docs/capacity.md is stale: run `make capacity`"


def test_a_missing_results_file_is_named_with_the_benchmark_to_run_and_the_rest_is_still_computed(
    tmp_path: Path,
) -> None:
    # Given every results file but the feed-page benchmark's
    for path in capacity.RESULTS.glob("*.json"):
        if path.name != "feed_query.json":
            shutil.copy(path, tmp_path / path.name)
    # When the plan is computed
    figures, missing = capacity.render(tmp_path)
    # Then the missing file is named with the command that makes it
    assert len(missing) == 1
    assert "feed_query.json is missing" in missing[0]
    assert "python -m benchmarks.feed_query" in missing[0]
    # And what depends on it shows as not measured, while the rest is computed
    read_row = next(line for line in figures.splitlines() if line.startswith("| reads |"))
    assert "| — |" in read_row
    assert "transcoding workers" in figures
    assert "log shards" in figures


def test_with_no_results_at_all_every_needed_benchmark_is_named(tmp_path: Path) -> None:
    _, missing = capacity.render(tmp_path)
    assert len(missing) == len(NEEDED)


def test_events_a_second_are_people_active_times_actions_over_a_day() -> None:
    rates = capacity.events_per_s()
    active = capacity.PEOPLE * capacity.ACTIVE_SHARE
    assert rates["ViewStarted"] == pytest.approx(active * capacity.VIEWS / 86_400)
    # Every keyed command adds its remembered answer: likes alone add as many as they are
    likes = next(a for a in capacity.ACTIONS if a.name == "like")
    assert rates["RequestCompleted"] > active * likes.per_day / 86_400
    assert capacity.peak(1.0) == pytest.approx(capacity.per_s(1.0) * capacity.PEAK_FACTOR)


def test_partitions_grow_with_the_apply_cost_and_none_help_when_decoding_alone_cannot_keep_up() -> None:
    decode = 60_000.0
    # Given a projector that applies 10,000 events/s alone and a shard handing it 12,000/s
    need = capacity.partitions_needed(12_000, 10_000, decode)
    assert need is not None
    # Then each of n partitions, decoding everything and applying 1/n, stays within the headroom
    n = int(need) + 1
    busy = 12_000 * (1 / decode + (1 / 10_000 - 1 / decode) / n)
    assert busy <= capacity.UTILISATION
    # And a slower projector needs more partitions
    slower = capacity.partitions_needed(12_000, 2_000, decode)
    assert slower is not None
    assert slower > need
    # And past what one reader can decode, no number of partitions keeps up: the log needs more shards
    assert capacity.partitions_needed(decode * capacity.UTILISATION, 10_000, decode) is None


def test_an_event_s_size_counts_its_sealed_text_and_the_log_s_own_overhead() -> None:
    like = event_size("VideoLiked", page_items=10, overhead_b=0)
    comment = event_size("CommentPosted", page_items=10, overhead_b=0)
    page = event_size("FeedServed", page_items=10, overhead_b=0)
    assert comment > like  # the sealed text and the key id
    assert page > 2 * like  # ten items with their reasons
    assert event_size("VideoLiked", page_items=10, overhead_b=100) == like + 100


def test_the_figures_replace_only_the_text_between_the_markers() -> None:
    doc = f"intro\n{capacity.BEGIN}\nold\n{capacity.END}\noutro\n"
    assert capacity.spliced(doc, "new\n") == f"intro\n{capacity.BEGIN}\nnew\n{capacity.END}\noutro\n"
    with pytest.raises(ValueError, match="section"):
        capacity.spliced("no markers", "new\n")
