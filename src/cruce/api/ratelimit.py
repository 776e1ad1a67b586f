"""Rate limits per client address, with the ``limits`` library (moving window, in memory).

One process keeps its own counts; behind several processes a shared storage (Redis) is
configured the same way through ``limits``' storage URI.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from cruce.api.problems import ApiError
from cruce.i18n import _

if TYPE_CHECKING:
    from fastapi import Request


class RateLimit:
    """``N/period`` requests per client address for one named action."""

    def __init__(self, name: str, rate: str, storage_uri: str = "memory://") -> None:
        self.name = name
        self.item = parse(rate)
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def check(self, request: Request) -> None:
        """Count the request; ApiError 429 with Retry-After when over the limit."""
        client = request.client.host if request.client is not None else "unknown"
        if self._limiter.hit(self.item, self.name, client):
            return
        reset, _remaining = self._limiter.get_window_stats(self.item, self.name, client)
        wait = max(1, int(reset - time.time()))
        raise ApiError(
            429,
            f"rate_limited.{self.name}",
            _("Too many requests; try again in {seconds} seconds", seconds=wait),
            headers={"Retry-After": str(wait)},
        )
