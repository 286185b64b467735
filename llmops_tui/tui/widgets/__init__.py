"""Widgets render what they are given; they never touch the store."""

from __future__ import annotations
