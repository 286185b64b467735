"""The cockpit: a Textual app over the store. Only this package imports Textual."""

from __future__ import annotations
