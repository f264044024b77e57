"""The CI gate: the hybrid variant's figures against `evals/thresholds.toml`.

The floors below are the project's requirements; a thresholds file may be stricter
but never looser, so lowering a number in the TOML cannot quietly pass a worse
system. A measured figure that misses its threshold is a failure, and so is gold
evidence that the store does not hold (the figures would be meaningless).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

DEFAULT_THRESHOLDS = Path(__file__).resolve().parent / "thresholds.toml"
FLOORS = {"min": {"recall@5": 0.90, "citation_validity": 1.0, "faithfulness": 0.95, "abstention_f1": 0.80},
          "max": {"median_words": 150}}
EPSILON = 1e-9


def load_thresholds(path: Path = DEFAULT_THRESHOLDS) -> dict:
    with open(path, "rb") as fh:
        thresholds = tomllib.load(fh)
    thresholds.setdefault("variant", "hybrid")
    for name, floor in FLOORS["min"].items():
        if thresholds.get("min", {}).get(name, floor) < floor:
            raise ValueError(f"{path}: {name} threshold below the project floor {floor}")
    for name, ceiling in FLOORS["max"].items():
        if thresholds.get("max", {}).get(name, ceiling) > ceiling:
            raise ValueError(f"{path}: {name} threshold above the project ceiling {ceiling}")
    return thresholds


def measured(summary: dict, name: str) -> float | None:
    """A gated figure from a variant's summary."""
    if name == "abstention_f1":
        return summary["abstention"].get("f1")
    if name in ("median_words", "p90_words"):
        return summary["words"][name.split("_")[0]]
    return (summary.get(name) or {}).get("mean")


def gate_rows(results: dict, thresholds: dict) -> list[list[str]]:
    """[metric, threshold, measured, 'pass'|'fail'] for every threshold."""
    summary = results["summary"].get(thresholds.get("variant", "hybrid"))
    rows = []
    for bound, sign in (("min", "≥"), ("max", "≤")):
        for name, limit in thresholds.get(bound, {}).items():
            value = measured(summary, name) if summary else None
            ok = value is not None and (value >= limit - EPSILON if bound == "min" else value <= limit + EPSILON)
            rows.append([name, f"{sign} {limit:g}", "–" if value is None else f"{value:.3f}".rstrip("0").rstrip("."),
                         "pass" if ok else "fail"])
    return rows


def check_gate(results: dict, thresholds: dict) -> list[str]:
    """Every way the results miss the thresholds; empty when the gate passes."""
    variant = thresholds.get("variant", "hybrid")
    if variant not in results["summary"]:
        return [f"variant {variant!r} was not evaluated"]
    failures = [f"{name}: measured {value}, required {limit}" for name, limit, value, verdict in
                gate_rows(results, thresholds) if verdict == "fail"]
    if results.get("data_errors"):
        failures.append(f"{len(results['data_errors'])} gold evidence quote(s) found in no stored chunk")
    return failures
