"""Frozen dataclasses and enums shared by every layer. No I/O here."""

from __future__ import annotations
