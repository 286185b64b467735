"""Who is acting: label moves record it (the CLI's `versions label` and the cockpit's `l`)."""

from __future__ import annotations

import getpass
import os

USER_ENV = "LLMOPS_USER"
"""Who label moves are recorded as (default: the login name)."""


def current_user() -> str:
    if name := os.environ.get(USER_ENV):
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (a container without a passwd entry)
        return "unknown"
