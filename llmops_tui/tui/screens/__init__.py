"""One screen per module; each fetches in workers and renders what they return."""

from __future__ import annotations
