"""The CI gate: the hybrid variant's figures against `evals/thresholds.toml`.

The gate ([min]/[max] in the TOML) sits just under what the current version
measures, so a change that makes answers worse fails CI. The project's targets
([target]) are reported next to it, met or not, so a gate below a target is never
silent. A measured figure that misses its threshold is a failure, and so is gold
evidence that the store does not hold (the figures would be meaningless).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

DEFAULT_THRESHOLDS = Path(__file__).resolve().parent / "thresholds.toml"
TARGETS = {  # issue 11
    "min": {"recall@5": 0.90, "citation_validity": 1.0, "faithfulness": 1.0, "abstention_f1": 0.75},
    "max": {"median_words": 80},
}
EPSILON = 1e-9


def load_thresholds(path: Path = DEFAULT_THRESHOLDS) -> dict:
    with open(path, "rb") as fh:
        thresholds = tomllib.load(fh)
    thresholds.setdefault("variant", "hybrid")
    thresholds.setdefault("target", TARGETS)
    for bound in ("min", "max"):
        for name, limit in thresholds.get(bound, {}).items():
            if not isinstance(limit, (int, float)):
                raise ValueError(f"{path}: [{bound}] {name} must be a number, not {limit!r}")
    return thresholds


def measured(summary: dict, name: str) -> float | None:
    """A gated figure from a variant's summary."""
    if name == "abstention_f1":
        return summary["abstention"].get("f1")
    if name in ("median_words", "p90_words"):
        return summary["words"][name.split("_")[0]]
    return (summary.get(name) or {}).get("mean")


def gate_rows(results: dict, thresholds: dict, table: str | None = None) -> list[list[str]]:
    """[metric, threshold, measured, 'pass'|'fail'] for every threshold (of the gate, or of `table`)."""
    summary = results["summary"].get(thresholds.get("variant", "hybrid"))
    limits = thresholds.get(table, {}) if table else thresholds
    rows = []
    for bound, sign in (("min", "≥"), ("max", "≤")):
        for name, limit in limits.get(bound, {}).items():
            value = measured(summary, name) if summary else None
            ok = value is not None and (value >= limit - EPSILON if bound == "min" else value <= limit + EPSILON)
            rows.append(
                [
                    name,
                    f"{sign} {limit:g}",
                    "–" if value is None else f"{value:.3f}".rstrip("0").rstrip("."),
                    "pass" if ok else "fail",
                ]
            )
    return rows


def check_gate(results: dict, thresholds: dict) -> list[str]:
    """Every way the results miss the thresholds; empty when the gate passes."""
    variant = thresholds.get("variant", "hybrid")
    if variant not in results["summary"]:
        return [f"variant {variant!r} was not evaluated"]
    failures = [
        f"{name}: measured {value}, required {limit}"
        for name, limit, value, verdict in gate_rows(results, thresholds)
        if verdict == "fail"
    ]
    if results.get("data_errors"):
        failures.append(f"{len(results['data_errors'])} gold evidence quote(s) found in no stored chunk")
    return failures
