"""Offline quality of the online ranking model on real data: TikTok micro-video interactions.

The train split is replayed, shuffled with a fixed seed (it has no timestamps), one ``COMPLETE``
interaction per row through :class:`recommend.model.RankingModel`, the very code the projection runs.
COMPLETE because a row says only that the person engaged with the video: a unit positive, the weight
a watched-to-the-end video carries, not the stronger claim of a like. Then every person in the eval
file gets all 6,710 videos ranked, their train videos masked, and Recall@20 and NDCG@20
(log2(rank + 2)) are averaged over them, as the papers do (README in the data folder). Ties are
broken by one seeded random order of the videos, the same for every model, so a model that scores
many videos alike gains nothing from where the held-out one happens to sit.

Beside it, trained on the same rows: the most-popular ranking and the ``implicit`` library's ALS and
BPR (CPU, fixed seed, 2 threads; settings picked on valid.csv), and the published numbers.
Select settings on valid.csv only; the holdout is for independent checks.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import random
import resource
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from benchmarks.report import machine, save
from recommend.model import ModelConfig, RankingModel
from recommend.signals import Interaction, Signal
from recommend.state import InMemoryState

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "tiktok"
DEFAULT_OUT = Path(__file__).parent / "results" / "recommend_offline.json"
K = 20
USERS, ITEMS = 9308, 6710
#: Published Recall@20 / NDCG@20 on the papers' test split (optimistic: epochs picked on test).
PUBLISHED = {"LightGCN": (0.0653, 0.0282), "BM3": (0.0957, 0.0404), "DiffMM": (0.1129, 0.0456)}
ALS = {"factors": 64, "regularization": 0.1, "alpha": 5.0, "iterations": 15}
BPR = {"factors": 64, "learning_rate": 0.01, "regularization": 0.01, "iterations": 200}

Pairs = list[tuple[int, int]]
Matrix = npt.NDArray[np.float64]
Scorer = Callable[[Sequence[int]], Matrix]


def read_pairs(path: Path) -> Pairs:
    with path.open(newline="") as handle:
        return [(int(row["user_id"]), int(row["item_id"])) for row in csv.DictReader(handle)]


def content_features(data: Path) -> npt.NDArray[np.float32]:
    """Image and audio features, each centred and scaled to unit rows, side by side: one per video."""
    parts = []
    for name in ("image_feat.npy", "audio_feat.npy"):
        raw = np.load(data / name).astype(np.float32)
        raw -= raw.mean(axis=0)
        parts.append(raw / np.maximum(np.linalg.norm(raw, axis=1, keepdims=True), 1e-9))
    return np.hstack(parts)


# -- the learner ------------------------------------------------------------------------------------


def replay(model: RankingModel, train: Pairs) -> float:
    """Every row as a COMPLETE interaction; the seconds it took."""
    started = time.perf_counter()
    for user, item in train:
        model.observe(Interaction(str(user), str(item), Signal.COMPLETE, at=0.0))
    return time.perf_counter() - started


def build_learner(train: Pairs, features: npt.NDArray[np.float32], config: ModelConfig) -> RankingModel:
    model = RankingModel(InMemoryState(), config)
    for item in range(ITEMS):
        model.describe(str(item), features=features[item])
    return model


def learner_memory(train: Pairs, features: npt.NDArray[np.float32], config: ModelConfig) -> float:
    """Peak MiB Python allocated while a fresh learner took in the train rows (features excluded)."""
    model = build_learner(train, features, config)
    tracemalloc.start()
    replay(model, train)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def learner_scorer(model: RankingModel) -> Scorer:
    candidates = [str(item) for item in range(ITEMS)]
    return lambda users: np.array([model.scores(str(user), candidates) for user in users])


# -- baselines --------------------------------------------------------------------------------------


def popular_scorer(train: Pairs) -> Scorer:
    counts = np.bincount([item for _, item in train], minlength=ITEMS).astype(np.float64)
    return lambda users: np.tile(counts, (len(users), 1))


def implicit_scorer(train: Pairs, kind: str, seed: int) -> Scorer:
    """ALS or BPR from ``implicit`` on the same rows: CPU, 2 threads, BLAS on one (as it asks)."""
    import implicit.cpu.als
    import implicit.cpu.bpr
    import scipy.sparse
    from threadpoolctl import threadpool_limits

    users, items = zip(*train, strict=True)
    matrix = scipy.sparse.csr_matrix((np.ones(len(train)), (users, items)), shape=(USERS, ITEMS))
    matrix.data[:] = 1.0
    with threadpool_limits(1, "blas"):
        if kind == "als":
            model = implicit.cpu.als.AlternatingLeastSquares(**ALS, random_state=seed, num_threads=2)
        else:
            model = implicit.cpu.bpr.BayesianPersonalizedRanking(**BPR, random_state=seed, num_threads=2)
        model.fit(matrix, show_progress=False)
    user_factors, item_factors = np.asarray(model.user_factors), np.asarray(model.item_factors)
    return lambda batch: (user_factors[list(batch)] @ item_factors.T).astype(np.float64)


# -- evaluation -------------------------------------------------------------------------------------


def evaluate(scorer: Scorer, train: Pairs, held: Pairs, seed: int, batch: int = 256) -> dict[str, float]:
    """Recall@K and NDCG@K over all videos, train videos masked, ties in one seeded random order."""
    seen: dict[int, list[int]] = {}
    for user, item in train:
        seen.setdefault(user, []).append(item)
    order = np.random.default_rng(seed).permutation(ITEMS)  # tie-break key per video
    hits, gains = [], []
    started = time.perf_counter()
    for begin in range(0, len(held), batch):
        chunk = held[begin : begin + batch]
        scores = scorer([user for user, _ in chunk])
        for row, (user, target) in zip(scores, chunk, strict=True):
            row[seen.get(user, [])] = -np.inf
            above = row > row[target]
            tied = (row == row[target]) & (order < order[target])
            rank = int(above.sum() + tied.sum())
            hits.append(rank < K)
            gains.append(1.0 / np.log2(rank + 2) if rank < K else 0.0)
    return {
        "recall": float(np.mean(hits)),
        "ndcg": float(np.mean(gains)),
        "users": len(held),
        "ranking_s": round(time.perf_counter() - started, 2),
    }


def table(results: dict[str, dict[str, float]]) -> str:
    rows = [("model", f"Recall@{K}", f"NDCG@{K}", "")]
    rows += [(name, f"{r['recall']:.4f}", f"{r['ndcg']:.4f}", "") for name, r in results.items()]
    rows += [(name, f"{r:.4f}", f"{n:.4f}", "published, test split") for name, (r, n) in PUBLISHED.items()]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.recommend_offline", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=DATA, help="the TikTok folder (default %(default)s)")
    parser.add_argument("--eval-file", type=Path, default=None, help="held-out pairs (default valid.csv)")
    parser.add_argument("--seed", type=int, default=0, help="shuffle, tie-break and baseline seed")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results (default %(default)s)")
    args = parser.parse_args(argv)
    eval_file = args.eval_file or args.data_dir / "valid.csv"
    if not (args.data_dir / "train.csv").exists() or not eval_file.exists():
        print(f"cannot run: no train.csv in {args.data_dir} or no {eval_file}")
        return 2
    train, held = read_pairs(args.data_dir / "train.csv"), read_pairs(eval_file)
    random.Random(args.seed).shuffle(train)
    features, config = content_features(args.data_dir), ModelConfig()

    model = build_learner(train, features, config)
    seconds = replay(model, train)
    results = {"learner (online)": evaluate(learner_scorer(model), train, held, args.seed)}
    results["most popular"] = evaluate(popular_scorer(train), train, held, args.seed)
    for kind in ("als", "bpr"):
        started = time.perf_counter()
        scorer = implicit_scorer(train, kind, args.seed)
        fit_s = time.perf_counter() - started
        results[f"implicit {kind.upper()}"] = evaluate(scorer, train, held, args.seed) | {
            "fit_s": round(fit_s, 2)
        }
    memory_mib = learner_memory(train, features, config)
    throughput = len(train) / seconds
    max_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(table(results))
    print(f"\nlearner: {len(train):,} interactions in {seconds:.2f} s = {throughput:,.0f} interactions/s;")
    print(f"  state peak {memory_mib:.1f} MiB (tracemalloc); process max RSS {max_rss_mib:.0f} MiB")
    ranking_s = results["learner (online)"]["ranking_s"]
    print(f"  ranking all {ITEMS:,} videos for {len(held):,} users: {ranking_s:.1f} s")
    output: dict[str, Any] = {
        "benchmark": "recommend_offline",
        "machine": machine(),
        "data": str(args.data_dir),
        "eval_file": eval_file.name,
        "seed": args.seed,
        "k": K,
        "positive_signal": Signal.COMPLETE.value,
        "learner_config": dataclasses.asdict(config),
        "als": ALS,
        "bpr": BPR,
        "models": results,
        "published": {name: {"recall": r, "ndcg": n} for name, (r, n) in PUBLISHED.items()},
        "learner_throughput_per_s": round(throughput, 1),
        "learner_state_peak_mib": round(memory_mib, 1),
        "max_rss_mib": round(max_rss_mib, 1),
    }
    save(args.out, output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
