"""Turn trace files into canonical span rows for the store."""

from __future__ import annotations
