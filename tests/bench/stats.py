"""Percentiles and the event loop's own lag (the load generator's error bar)."""

from __future__ import annotations

import asyncio
import math
import time


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (``share`` in 0–100) of ``values``; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(seconds: list[float]) -> dict:
    """p50 / p95 / p99 / max in milliseconds, and how many."""
    return {
        "count": len(seconds),
        **{
            name: None if value is None else round(value * 1000, 1)
            for name, value in (
                ("p50", percentile(seconds, 50)),
                ("p95", percentile(seconds, 95)),
                ("p99", percentile(seconds, 99)),
                ("max", max(seconds) if seconds else None),
            )
        },
    }


class LoopLag:
    """How late the load generator's event loop wakes up (every 50 ms).

    Latencies are measured on that loop: when it is busy, a reply that
    came in on time is read late. This lag is reported beside the figures.
    """

    def __init__(self):
        self.lags: list[float] = []
        self._task: asyncio.Task | None = None

    async def _run(self):
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.05)
            self.lags.append(time.perf_counter() - before - 0.05)

    def __enter__(self):
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc):
        self._task.cancel()
