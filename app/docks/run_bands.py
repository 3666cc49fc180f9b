"""A metric across an experiment's runs: per group of runs and sim hour, the mean and its 95% confidence band.

Pure numbers from ``runs.parquet`` rows (dicts), so the dock only draws them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

T_95 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26, 10: 2.23, 15: 2.13,
        20: 2.09, 30: 2.04}  # Student's t, two-sided 95%, by degrees of freedom (1.96 beyond)
NOT_METRICS = {"run_id", "index", "world", "seed", "replication", "run_seed", "hour", "tick", "sim_time"}


@dataclass(frozen=True)
class Band:
    group: str
    hours: list[float]
    mean: list[float]
    low: list[float]
    high: list[float]
    runs: int


def t_value(freedom: int) -> float:
    if freedom <= 0:
        return 0.0
    known = [k for k in T_95 if k <= freedom]
    return T_95[max(known)] if freedom <= 30 else 1.96


def metric_names(rows: list[dict[str, Any]]) -> list[str]:
    names: dict[str, None] = {}
    for row in rows[:50]:
        for key, value in row.items():
            if key not in NOT_METRICS and not key.startswith("setting.") and isinstance(value, int | float):
                names[key] = None
    return list(names)


def group_names(rows: list[dict[str, Any]]) -> list[str]:
    """What runs can be grouped by: each swept setting, the world, and the seed."""
    keys = [k for k in (rows[0] if rows else {}) if k.startswith("setting.")]
    return [*keys, "world", "seed"]


def bands(rows: list[dict[str, Any]], metric: str, group_by: str | None) -> list[Band]:
    """One band per value of ``group_by`` (None: all runs together), over the sim hours."""
    values: dict[str, dict[float, list[float]]] = defaultdict(lambda: defaultdict(list))
    runs: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        value = row.get(metric)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        group = f"{group_by.removeprefix('setting.')} = {row.get(group_by)}" if group_by else "all runs"
        values[group][float(row["hour"])].append(float(value))
        runs[group].add(str(row["run_id"]))
    made = []
    for group in sorted(values):
        hours = sorted(values[group])
        mean, low, high = [], [], []
        for hour in hours:
            sample = values[group][hour]
            centre = sum(sample) / len(sample)
            spread = 0.0
            if len(sample) > 1:
                sd = math.sqrt(sum((v - centre) ** 2 for v in sample) / (len(sample) - 1))
                spread = t_value(len(sample) - 1) * sd / math.sqrt(len(sample))
            mean.append(centre)
            low.append(centre - spread)
            high.append(centre + spread)
        made.append(Band(group, hours, mean, low, high, len(runs[group])))
    return made
