"""Small helpers every format adapter shares: ids, times, typed field access, error wording.

Adapters differ in shape but fail the same way: a record is rejected with one line naming the
field, and ids and times come out in one canonical form (lowercase hex, integer nanoseconds)
so the same span read from two formats dedups on `(trace_id, span_id)`. Keeping these rules
here means each adapter only says *where* a value lives, not how to check it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from llmops_tui.ingest.formats import RecordError

JsonObject = dict[str, Any]

_HEX = re.compile(r"[0-9a-fA-F]+")
_ISO = re.compile(
    r"(?P<main>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?)"
    r"(?:[.,](?P<frac>\d+))?"
    r"(?P<tz>[Zz]|[+-]\d{2}:?\d{2})?"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NS_PER_S = 10**9


def describe(value: object) -> str:
    """A short JSON rendering of a bad value for an error message (`"abc"`, `-3`, `an object`)."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, bytes):
        return f"{len(value)} bytes"
    try:
        text = orjson.dumps(value).decode()
    except TypeError:
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def fail(field: str, expected: str, value: object) -> RecordError:
    """The house wording: `field: expected X, got Y`."""
    return RecordError(f"{field}: expected {expected}, got {describe(value)}")


def dumps(value: object) -> str:
    """JSON text for attributes that OTel defines as JSON strings (messages, finish reasons)."""
    return orjson.dumps(value).decode()


# ---------------------------------------------------------------- ids


def normalize_id(value: object, *, length: int, field: str = "id") -> str:
    """Canonical lowercase hex of a trace id (`length=32`) or span id (`length=16`).

    Accepts hex in any case, a `0x` prefix (console exporter), base64 of the raw bytes
    (protobufjs `toJSON`, some SDK dumps) and raw bytes (protobuf). All-zero ids are invalid
    in OTel, so they are rejected rather than stored as a span nobody can link to.
    """
    hex_id = _decode_id(value, length=length, field=field)
    if not hex_id.strip("0"):
        raise RecordError(f"{field}: an all-zero id is not a valid OTel id")
    return hex_id


def normalize_parent_id(value: object, *, field: str) -> str | None:
    """A parent span id, or None for a root (`None`, `""`, empty bytes or all zeros)."""
    if value is None or value in ("", b""):
        return None
    hex_id = _decode_id(value, length=16, field=field)
    return hex_id if hex_id.strip("0") else None


def _decode_id(value: object, *, length: int, field: str) -> str:
    nbytes = length // 2
    if isinstance(value, bytes | bytearray):
        if len(value) != nbytes:
            raise RecordError(f"{field}: expected {nbytes} bytes, got {len(value)}")
        return bytes(value).hex()
    hex_id = _id_from_text(value.strip(), length=length) if isinstance(value, str) else None
    if hex_id is None:
        raise fail(field, f"{length} hex digits or base64 of {nbytes} bytes", value)
    return hex_id


def _id_from_text(text: str, *, length: int) -> str | None:
    if text[:2] in ("0x", "0X"):
        text = text[2:]
    if len(text) == length and _HEX.fullmatch(text):
        return text.lower()
    # Hex and base64 share an alphabet, but never a length for the same byte count.
    try:
        raw = base64.b64decode(_pad_base64(text), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == length // 2 else None


def _pad_base64(text: str) -> str:
    return text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4)


def derived_id(*parts: str, length: int) -> str:
    """A deterministic hex id for sources without OTel ids, so re-ingesting a record dedups.

    Parts are joined with a separator that can't occur in ordinary text, so `("a", "bc")` and
    `("ab", "c")` give different ids.
    """
    if not 0 < length <= 64 or length % 2:
        raise ValueError(f"derived_id length must be an even number in 2..64, got {length}")
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return digest[:length]


def id_or_uuid(value: object) -> str | None:
    """32 hex digits from a hex trace id or a UUID (dashes dropped); None for anything else.

    Request logs carry ids of their own making: reuse them when they already look like a
    trace id, so spans from the same app line up, and let the caller derive one otherwise.
    """
    if not isinstance(value, str):
        return None
    text = value.strip().replace("-", "") if len(value.strip()) == 36 else value.strip()
    if text[:2] in ("0x", "0X"):
        text = text[2:]
    if len(text) == 32 and _HEX.fullmatch(text) and text.strip("0"):
        return text.lower()
    return None


# ---------------------------------------------------------------- times


def iso_to_ns(value: object, *, field: str) -> int:
    """Epoch nanoseconds from ISO-8601, keeping all fraction digits (datetime stops at µs).

    A time without an offset is taken as UTC: exporters that omit it write UTC.
    """
    if not isinstance(value, str):
        raise fail(field, "an ISO-8601 time", value)
    match = _ISO.fullmatch(value.strip())
    if match is None:
        raise fail(field, "an ISO-8601 time", value)
    tz = match["tz"] or "+00:00"
    tz = "+00:00" if tz in ("Z", "z") else tz
    try:
        moment = datetime.fromisoformat(match["main"].replace(" ", "T") + tz)
    except ValueError:
        raise fail(field, "an ISO-8601 time", value) from None
    seconds = (moment - _EPOCH) // timedelta(seconds=1)
    fraction = int((match["frac"] or "0")[:9].ljust(9, "0"))
    return seconds * _NS_PER_S + fraction


def epoch_to_ns(value: object, *, field: str) -> int:
    """Epoch nanoseconds from a number in s, ms, µs or ns, told apart by magnitude.

    Floats go through their decimal text so `1741569952.123456` keeps its microseconds
    instead of picking up binary rounding noise.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise fail(field, "an epoch time", value)
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        raise fail(field, "an epoch time", value) from None
    if not number.is_finite() or number < 0:
        raise fail(field, "an epoch time", value)
    for limit, scale in (
        (Decimal(10**11), 10**9),
        (Decimal(10**14), 10**6),
        (Decimal(10**17), 10**3),
    ):
        if number < limit:
            return int(number * scale)
    return int(number)


def time_to_ns(value: object, *, field: str) -> int:
    """Epoch nanoseconds from either an ISO-8601 string or an epoch number (or numeric text)."""
    if isinstance(value, str) and not _looks_numeric(value):
        return iso_to_ns(value, field=field)
    return epoch_to_ns(value, field=field)


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"\s*\d+(\.\d+)?\s*", text))


# ---------------------------------------------------------------- typed field access


def get_dict(obj: JsonObject, key: str, *, field: str, required: bool = False) -> JsonObject:
    """`obj[key]` as an object; `{}` when absent or null unless `required`."""
    value = obj.get(key)
    if value is None:
        if required:
            raise RecordError(f"{field}: missing")
        return {}
    if not isinstance(value, dict):
        raise fail(field, "an object", value)
    return value


def get_list(obj: JsonObject, key: str, *, field: str) -> list[Any]:
    """`obj[key]` as a list; `[]` when absent or null."""
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise fail(field, "a list", value)
    return value


def get_str(obj: JsonObject, key: str, *, field: str, required: bool = False) -> str | None:
    """`obj[key]` as a string; None when absent, null or empty unless `required`."""
    value = obj.get(key)
    if value is None or value == "":
        if required:
            raise RecordError(f"{field}: missing")
        return None
    if not isinstance(value, str):
        raise fail(field, "a string", value)
    return value


def get_count(obj: JsonObject, key: str, *, field: str) -> int | None:
    """`obj[key]` as a token count; None when absent or null.

    Integral floats (`12.0`) are accepted because some loggers round-trip usage through
    JavaScript numbers; anything fractional or negative is a broken record.
    """
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise fail(field, "a non-negative integer", value)
    return value


def count_at(obj: JsonObject, path: str, *, where: str = "") -> int | None:
    """A token count under a dotted path (`"prompt_tokens_details.cached_tokens"`).

    Missing objects along the way read as absent; `where` prefixes the path in errors.
    """
    *parents, leaf = path.split(".")
    for depth, key in enumerate(parents):
        obj = get_dict(obj, key, field=where + ".".join(parents[: depth + 1]))
    return get_count(obj, leaf, field=where + path)


def get_amount(obj: JsonObject, key: str, *, field: str) -> float | None:
    """`obj[key]` as a non-negative number (a cost or a duration); None when absent or null."""
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise fail(field, "a non-negative number", value)
    return float(value)
