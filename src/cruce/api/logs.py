"""Structured logs: one JSON object per line on standard error, with the request id.

Only what the code passes reaches a log line (method, path, status, duration, ids); the
processors add the level and a UTC timestamp. Bodies, headers and query strings are never
logged, so tokens, passwords and tax identifiers stay out of the logs.
"""

from __future__ import annotations

import logging
import sys

import structlog


def configure(*, level: int = logging.INFO) -> None:
    """Send structlog events to standard error as JSON lines (idempotent)."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
