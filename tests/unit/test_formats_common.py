"""Shared adapter helpers: id normalisation, derived ids, times and typed field access."""

from __future__ import annotations

import base64

import pytest

from llmops_tui.ingest.formats import RecordError
from llmops_tui.ingest.formats.common import (
    count_at,
    derived_id,
    epoch_to_ns,
    get_count,
    id_or_uuid,
    iso_to_ns,
    normalize_id,
    normalize_parent_id,
    time_to_ns,
)

TRACE_HEX = "5b8aa5a2d2c872e8321cf37308d69df2"
SPAN_HEX = "051581bf3cb55c13"


@pytest.mark.parametrize(
    "value",
    [
        TRACE_HEX,
        TRACE_HEX.upper(),
        "0x" + TRACE_HEX,
        "0X" + TRACE_HEX.upper(),
        base64.b64encode(bytes.fromhex(TRACE_HEX)).decode(),
        base64.urlsafe_b64encode(bytes.fromhex(TRACE_HEX)).decode().rstrip("="),
        bytes.fromhex(TRACE_HEX),
    ],
)
def test_trace_id_spellings(value: str | bytes) -> None:
    assert normalize_id(value, length=32, field="traceId") == TRACE_HEX


def test_span_id_from_base64() -> None:
    encoded = base64.b64encode(bytes.fromhex(SPAN_HEX)).decode()

    assert normalize_id(encoded, length=16) == SPAN_HEX


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", 'traceId: expected 32 hex digits or base64 of 16 bytes, got "abc"'),
        (SPAN_HEX, f'traceId: expected 32 hex digits or base64 of 16 bytes, got "{SPAN_HEX}"'),
        (12, "traceId: expected 32 hex digits or base64 of 16 bytes, got 12"),
        (None, "traceId: expected 32 hex digits or base64 of 16 bytes, got null"),
        (b"\x01" * 8, "traceId: expected 16 bytes, got 8"),
        ("0" * 32, "traceId: an all-zero id is not a valid OTel id"),
    ],
)
def test_bad_ids_name_the_field(value: object, message: str) -> None:
    with pytest.raises(RecordError) as caught:
        normalize_id(value, length=32, field="traceId")

    assert str(caught.value) == message


@pytest.mark.parametrize(
    "root", [None, "", b"", "0000000000000000", "0x0000000000000000", b"\0" * 8]
)
def test_root_parents(root: object) -> None:
    assert normalize_parent_id(root, field="parent") is None


def test_derived_ids_are_deterministic_and_separated() -> None:
    assert derived_id("msg_1", length=16) == derived_id("msg_1", length=16)
    # sha256("msg_1"), pinned: changing the derivation would duplicate re-ingested logs.
    assert derived_id("msg_1", length=16) == "116b88f173007be5"
    assert derived_id("a", "bc", length=32) != derived_id("ab", "c", length=32)
    assert len(derived_id("x", length=32)) == 32
    with pytest.raises(ValueError, match="even number"):
        derived_id("x", length=15)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0C6A5D3E-1B2F-4A5B-8C9D-0E1F2A3B4C5D", "0c6a5d3e1b2f4a5b8c9d0e1f2a3b4c5d"),
        (TRACE_HEX.upper(), TRACE_HEX),
        ("0x" + TRACE_HEX, TRACE_HEX),
        ("req_123", None),
        ("0" * 32, None),
        (42, None),
    ],
)
def test_id_or_uuid(value: object, expected: str | None) -> None:
    assert id_or_uuid(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1772442900, 1_772_442_900_000_000_000),
        (1772442900.123456, 1_772_442_900_123_456_000),
        (1772442900123, 1_772_442_900_123_000_000),
        (1772442900123456, 1_772_442_900_123_456_000),
        (1772442900123456789, 1_772_442_900_123_456_789),
        ("1772442900.5", 1_772_442_900_500_000_000),
    ],
)
def test_epoch_magnitudes(value: int | float | str, expected: int) -> None:
    assert epoch_to_ns(value, field="t") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-02T09:15:00Z", 1_772_442_900_000_000_000),
        ("2026-03-02T09:15:00.123456789Z", 1_772_442_900_123_456_789),
        ("2026-03-02 09:15:00.5", 1_772_442_900_500_000_000),
        ("2026-03-02T10:15:00+01:00", 1_772_442_900_000_000_000),
        ("2026-03-02T04:15:00-0500", 1_772_442_900_000_000_000),
    ],
)
def test_iso_times(value: str, expected: int) -> None:
    assert iso_to_ns(value, field="t") == expected
    assert time_to_ns(value, field="t") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "t: expected an epoch time, got -1"),
        (True, "t: expected an epoch time, got true"),
        (float("nan"), "t: expected an epoch time, got null"),
        ("soon", 't: expected an ISO-8601 time, got "soon"'),
        ("2026-13-02T09:15:00Z", 't: expected an ISO-8601 time, got "2026-13-02T09:15:00Z"'),
    ],
)
def test_bad_times(value: object, message: str) -> None:
    with pytest.raises(RecordError) as caught:
        time_to_ns(value, field="t")

    assert str(caught.value) == message


def test_counts() -> None:
    usage = {"prompt_tokens": 12.0, "details": {"cached_tokens": 3}, "bad": True}

    assert get_count(usage, "prompt_tokens", field="usage.prompt_tokens") == 12
    assert count_at(usage, "details.cached_tokens", where="usage.") == 3
    assert count_at(usage, "missing.cached_tokens", where="usage.") is None
    with pytest.raises(
        RecordError, match=r"^usage\.bad: expected a non-negative integer, got true$"
    ):
        count_at(usage, "bad", where="usage.")
    with pytest.raises(RecordError, match=r"^usage\.bad: expected an object, got true$"):
        count_at(usage, "bad.x", where="usage.")
