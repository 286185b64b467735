"""SQL that turns staged JSON records into canonical span rows.

DuckDB parses the JSON itself: measured on these machines, only a path where DuckDB parses
reaches the speed of its own `read_json` (shared/reference/duckdb-performance.md). So records
arrive as a stream of Arrow record batches of flat span records as text
(`ingest/formats/__init__.py`; OTLP requests are flattened to them in Python, where turning
KeyValue lists into objects is cheapest) and everything from parsing to validation happens in
ONE query (`resolved_sql`), which the loader inserts from directly:

1. `STAGE_FLAT_CTES` parse each record once (`json_transform`) into raw fields;
2. `resolved_sql` looks up every canonical column through the candidate keys of
   `ingest/dialects.py` (one `json_transform` of each attribute map into a struct of all
   candidates), normalises ids, times and token semantics, and writes a one-line `reject`
   reason where a field is wrong.
"""

from __future__ import annotations

import json

from llmops_tui.ingest.dialects import (
    CANDIDATES,
    FLATTENED_MESSAGES,
    OPENINFERENCE_CONTENT_PART,
    Candidates,
)
from llmops_tui.store.sql import quote_literal

MACROS_SQL = r"""
create or replace temp macro llmops_id(x, n) as (
    case
        when x is null or x = '' then null
        when length(x) = n and regexp_full_match(x, '[0-9a-fA-F]+') then lower(x)
        when length(x) = n + 2 and lower(x[1:2]) = '0x' and regexp_full_match(x[3:], '[0-9a-fA-F]+')
            then lower(x[3:])
        when n = 32 and length(x) = 36
             and regexp_full_match(replace(x, '-', ''), '[0-9a-fA-F]{32}')
            then lower(replace(x, '-', ''))
        when length(x) = ceil(n / 2 / 3) * 4 and regexp_full_match(x, '[A-Za-z0-9+/]+=*')
             and octet_length(try(from_base64(x))) = n / 2
            then lower(hex(from_base64(x)))
        else '!'
    end
);
create or replace temp macro llmops_int(x) as (
    case when regexp_full_match(x, '-?[0-9]{1,30}') then try_cast(x as hugeint) end
);
create or replace temp macro llmops_ts(x, i, d) as (
    -- x: the raw text; i, d: x as an integer and as a double (computed once by the caller).
    case
        when x is null or x = '' then null
        when i is not null then
            -- In BIGINT: HUGEINT division cost ~1 s per 1M spans (measured).
            case
                when abs(i) >= 100000000000000000 then make_timestamp(try_cast(i as bigint) // 1000)
                when abs(i) >= 100000000000000 then make_timestamp(i::bigint)
                when abs(i) >= 100000000000 then make_timestamp(i::bigint * 1000)
                when abs(i) < 10000000000 then make_timestamp(i::bigint * 1000000)
            end
        when d is not null and isfinite(d) then
            case
                when abs(d) >= 1e17 then make_timestamp((d / 1000)::bigint)
                when abs(d) >= 1e14 then make_timestamp(d::bigint)
                when abs(d) >= 1e11 then make_timestamp((d * 1000)::bigint)
                when abs(d) < 1e10 then make_timestamp((d * 1000000)::bigint)
            end
        else try_cast(try_cast(x as timestamptz) as timestamp)
    end
);
create or replace temp macro llmops_ts_text(x) as (
    llmops_ts(x, llmops_int(x), try_cast(x as double))
);
create or replace temp macro llmops_ts_ok(t) as (
    t between timestamp '1971-01-01' and timestamp '2200-01-01'
);
create or replace temp macro llmops_count(x, d) as (
    case
        when x is null then null
        when d >= 0 and d < 1e15 and d = floor(d) then d::bigint
        else -1
    end
);
create or replace temp macro llmops_usd(x, d) as (
    case
        when x is null then null
        when isfinite(d) and d >= 0 and d < 1e9 then d
        else -1
    end
);
create or replace temp macro llmops_excerpt(x) as (
    case when x is null then 'nothing'
         when length(x) > 60 then '''' || left(x, 57) || '...'''
         else '''' || x || '''' end
);
create or replace temp macro llmops_kind(x) as (
    case lower(regexp_replace(coalesce(x, ''), '^(SpanKind\.|SPAN_KIND_)', '', 'i'))
        when '0' then 'unspecified' when 'unspecified' then 'unspecified'
        when '1' then 'internal' when 'internal' then 'internal'
        when '2' then 'server' when 'server' then 'server'
        when '3' then 'client' when 'client' then 'client'
        when '4' then 'producer' when 'producer' then 'producer'
        when '5' then 'consumer' when 'consumer' then 'consumer'
        when '' then null
        else lower(x)
    end
);
create or replace temp macro llmops_status(x) as (
    case lower(regexp_replace(coalesce(x, ''), '^(StatusCode\.|STATUS_CODE_)', '', 'i'))
        when '2' then 'error' when 'error' then 'error' when 'failure' then 'error'
        when '1' then 'ok' when 'ok' then 'ok' when 'success' then 'ok'
        else 'unset'
    end
);
"""
"""Helpers compiled once per connection. `llmops_id` returns '!' for a value that is present
but not an id, so the reject reason can quote it; `llmops_count`/`llmops_usd` return -1 for
a value that is present but not a valid count or amount (negative values included)."""

FLAT_STRUCTURE = json.dumps(
    {
        "trace_id": "VARCHAR",
        "traceId": "VARCHAR",
        "span_id": "VARCHAR",
        "spanId": "VARCHAR",
        "parent_span_id": "VARCHAR",
        "parentSpanId": "VARCHAR",
        "parent_id": "VARCHAR",
        "name": "VARCHAR",
        "kind": "VARCHAR",
        "start_time": "VARCHAR",
        "startTimeUnixNano": "VARCHAR",
        "start_time_unix_nano": "VARCHAR",
        "end_time": "VARCHAR",
        "endTimeUnixNano": "VARCHAR",
        "end_time_unix_nano": "VARCHAR",
        "duration_ms": "VARCHAR",
        "status": "VARCHAR",
        "status_message": "VARCHAR",
        "attributes": "JSON",
        "resource": "JSON",
        "events": "JSON",
    }
)

TRACE_ID_RAW = "coalesce(j.trace_id, j.traceId)"
SPAN_ID_RAW = "coalesce(j.span_id, j.spanId)"

STAGE_FLAT_CTES = f"""
parsed as (
    -- One parse per good line: json_transform inside try() is NULL for invalid JSON, and
    -- the slower checks run only on the lines that failed.
    select source as path, source || ':' || line as source, payload, error,
        case when error is null and left(ltrim(payload), 1) = '{{'
             then try(json_transform(payload, {quote_literal(FLAT_STRUCTURE)})) end as j
    from {{relation}}
),
checked as (
    select path, source, payload, j,
        case
            when error is not null then error
            when j is not null then null
            when not json_valid(payload) then 'not valid JSON'
            else 'expected a JSON object, got ' || lower(json_type(payload))
        end as parse_error
    from parsed
),
shaped as (
    select path, source, payload, j, parse_error,
        starts_with(j.status, '{{') as status_is_object,
        left(j.attributes, 1) as attributes_start
    from checked
),
staged_raw as (
select
    path, source, payload,
    {TRACE_ID_RAW} as trace_id_raw,
    {SPAN_ID_RAW} as span_id_raw,
    coalesce(j.parent_span_id, j.parentSpanId, j.parent_id) as parent_raw,
    j.name as name,
    j.kind as kind_raw,
    coalesce(j.start_time, j.startTimeUnixNano, j.start_time_unix_nano) as start_raw,
    coalesce(j.end_time, j.endTimeUnixNano, j.end_time_unix_nano) as end_raw,
    j.duration_ms as duration_raw,
    case when status_is_object
         then coalesce(json_extract_string(j.status, '$.code'),
                       json_extract_string(j.status, '$.status_code'))
         else j.status end as status_raw,
    coalesce(j.status_message,
             case when status_is_object
                  then coalesce(json_extract_string(j.status, '$.message'),
                                json_extract_string(j.status, '$.description')) end)
        as status_message,
    case when attributes_start = '{{' then j.attributes end as attributes,
    case when left(j.resource, 1) = '{{' then j.resource end as resource,
    case when left(j.events, 1) = '[' then j.events end as events,
    null::varchar as scope_name,
    coalesce(parse_error,
        case when attributes_start is not null and attributes_start <> '{{'
             then 'attributes: expected an object, got ' || lower(json_type(j.attributes)) end)
        as parse_error
from shaped
)
"""
"""The CTEs that parse the `payload` of each record (`{relation}`) into `staged_raw`: one
`json_transform` per record. They hold projections only, no filter: DuckDB pushes a filter
down through projections by inlining their expressions, which would parse each record again
for every column the filter touches (a filter on the parsed struct made this 2-6x slower)."""


def _structure_literal(keys: list[str]) -> str:
    """A `json_transform` structure reading every key as text (nested values as JSON text,
    exactly as `json_extract_string` returns them)."""
    return quote_literal(json.dumps(dict.fromkeys(keys, "VARCHAR")))


def _field(values: str, key: str) -> str:
    return values + '."' + key.replace('"', '""') + '"'


def _first_present(values: str, keys: tuple[str, ...]) -> str:
    if not keys:
        return "null::varchar"
    items = ", ".join(_field(values, key) for key in keys)
    return f"coalesce({items})" if len(keys) > 1 else items


def _key_used(values: str, keys: tuple[str, ...]) -> str:
    whens = " ".join(
        f"when {_field(values, key)} is not null then {quote_literal(key)}" for key in keys
    )
    return f"case {whens} end"


def _flattened_messages(column: str) -> str:
    """Rebuild a message list from numbered keys (`llm.input_messages.0.message.role`...)."""
    options = []
    for role_pattern, content_pattern in FLATTENED_MESSAGES[column]:
        prefix = role_pattern.split(".N.")[0] + "."
        role_suffix = "." + role_pattern.split(".N.")[1]
        content_suffix = "." + content_pattern.split(".N.")[1]
        indexes = (
            "list_sort(list_distinct(list_transform(list_filter(json_keys(attributes), "
            f"k -> starts_with(k, {quote_literal(prefix)}) "
            f"and ends_with(k, {quote_literal(role_suffix)})), "
            f"k -> try_cast(split_part(k[{len(prefix) + 1}:], '.', 1) as integer))))"
        )
        content = (
            "coalesce("
            f"json_extract_string(attributes, '$.\"{prefix}' || i || '{content_suffix}\"'), "
            f"json_extract_string(attributes, '$.\"{prefix}' || i || "
            f"'{OPENINFERENCE_CONTENT_PART}\"'))"
        )
        role = f"json_extract_string(attributes, '$.\"{prefix}' || i || '{role_suffix}\"')"
        options.append(
            f"case when attributes::varchar like {quote_literal('%' + prefix + '0.%')} then "
            f"to_json(list_transform(list_filter({indexes}, i -> i is not null), "
            f"i -> {{'role': {role}, 'content': {content}}}))::varchar end"
        )
    return "coalesce(" + ", ".join(options) + ")"


def resolved_sql(relation: str) -> str:
    """The query resolving the records of `relation` (source, line, payload, error) to
    canonical span columns plus `path`, `payload`, `reject`, `parse_error` and `span_id_raw`."""
    span_keys: list[str] = []
    resource_keys: list[str] = []
    for candidate in CANDIDATES:
        span_keys.extend(k for k in candidate.keys if k not in span_keys)
        resource_keys.extend(k for k in candidate.resource_keys if k not in resource_keys)

    def value(c: Candidates) -> str:
        span = _first_present("a", c.keys)
        if not c.resource_keys:
            return span
        return f"coalesce({span}, {_first_present('r', c.resource_keys)})"

    picks: list[str] = []
    numbers: list[str] = []
    checks: list[str] = []
    for c in CANDIDATES:
        raw = value(c)
        if c.type == "text":
            if c.column in FLATTENED_MESSAGES:
                raw = f"coalesce({raw}, {_flattened_messages(c.column)})"
            picks.append(f"{raw} as {c.column}")
            continue
        convert = "llmops_count" if c.type == "count" else "llmops_usd"
        expected = "a non-negative integer" if c.type == "count" else "a non-negative amount in USD"
        picks.append(f"{raw} as {c.column}_raw")
        numbers.append(
            f"{convert}({c.column}_raw, try_cast({c.column}_raw as double)) as {c.column}"
        )
        # The key is named only for rejected rows: CASE evaluates THEN for matching rows only.
        checks.append(
            f"case when {c.column} = -1 then {_key_used('a', c.keys)} "
            f"|| ': expected {expected}, got ' || llmops_excerpt({c.column}_raw) end"
        )
    id_checks = [
        "case when trace_id_raw is null or trace_id_raw = '' then 'trace_id: missing' end",
        "case when trace_id = '!' then 'trace_id: expected 32 hex characters, got ' "
        "|| llmops_excerpt(trace_id_raw) end",
        "case when span_id_raw is null or span_id_raw = '' then 'span_id: missing' end",
        "case when span_id = '!' then 'span_id: expected 16 hex characters, got ' "
        "|| llmops_excerpt(span_id_raw) end",
        "case when parent_span_id = '!' then 'parent_span_id: expected 16 hex characters, got ' "
        "|| llmops_excerpt(parent_raw) end",
        "case when start_raw is null then 'start_time: missing' end",
        "case when start_time is null or not llmops_ts_ok(start_time) then 'start_time: expected "
        "an ISO-8601 time or epoch seconds/ms/us/ns, got ' || llmops_excerpt(start_raw) end",
        "case when end_raw is not null and (end_time is null or not llmops_ts_ok(end_time)) then "
        "'end_time: expected an ISO-8601 time or epoch seconds/ms/us/ns, got ' "
        "|| llmops_excerpt(end_raw) end",
        "case when end_time < start_time then 'end_time: expected a time after start_time' end",
        "case when duration_raw is not null and (try_cast(duration_raw as double) is null "
        "or try_cast(duration_raw as double) < 0) then 'duration_ms: expected a non-negative "
        "number, got ' || llmops_excerpt(duration_raw) end",
    ]
    return f"""
with {STAGE_FLAT_CTES.replace("{relation}", relation)},
looked_up as (
    -- One json_transform into a struct finds every candidate key in one pass over the
    -- object's keys (json_extract_string with a list of paths scans it once per path).
    select *,
        json_transform(attributes, {_structure_literal(span_keys)}) as a,
        json_transform(resource, {_structure_literal(resource_keys)}) as r
    from staged_raw
),
picked as (
    select
        path, source, payload,
        trace_id_raw, span_id_raw, parent_raw, start_raw, end_raw, duration_raw,
        llmops_id(trace_id_raw, 32) as trace_id,
        llmops_id(span_id_raw, 16) as span_id,
        llmops_id(parent_raw, 16) as parent_span_id,
        name,
        llmops_kind(kind_raw) as kind,
        llmops_int(start_raw) as start_i,
        try_cast(start_raw as double) as start_d,
        llmops_int(end_raw) as end_i,
        try_cast(end_raw as double) as end_d,
        status_raw, status_message, attributes, resource, events, scope_name, a, parse_error,
        {", ".join(picks)}
    from looked_up
),
converted as (
    select *,
        llmops_ts(start_raw, start_i, start_d) as start_time,
        llmops_ts(end_raw, end_i, end_d) as end_time_given,
        {", ".join(numbers)}
    from picked
),
timed as (
    select *,
        coalesce(end_time_given,
                 start_time + to_microseconds(
                     (try_cast(duration_raw as double) * 1000)::bigint)) as end_time
    from converted
)
select
    path, source, payload, trace_id, span_id, parent_span_id, name, kind, start_time, end_time,
    coalesce(epoch_us(end_time) - epoch_us(start_time), 0) / 1000.0 as duration_ms,
    case when llmops_status(status_raw) = 'unset' and error_type is not null then 'error'
         else llmops_status(status_raw) end as status,
    coalesce(status_message, error_type) as status_message,
    operation,
    lower(provider) as provider,
    request_model, response_model,
    -- Sources that count input exclusively (Anthropic, inspect-ai) betray themselves by
    -- cache counts larger than the input: make them inclusive, as OTel >= 1.40 is.
    case when coalesce(cache_read_tokens, 0) + coalesce(cache_write_tokens, 0) > input_tokens
         then input_tokens + coalesce(cache_read_tokens, 0) + coalesce(cache_write_tokens, 0)
         else input_tokens end as input_tokens,
    case when reasoning_tokens > output_tokens then output_tokens + reasoning_tokens
         else coalesce(output_tokens,
                       case when total_tokens >= input_tokens then total_tokens - input_tokens end)
    end as output_tokens,
    cache_read_tokens, cache_write_tokens, reasoning_tokens,
    cost_usd,
    prompt_name, prompt_version, release_id, environment, service_name, user_id, session_id,
    input_text, output_text, attributes, resource as resource_attributes, events,
    coalesce(parse_error, {", ".join(id_checks + checks)}) as reject,
    parse_error,
    span_id_raw
from timed
"""


RESOLVED_SQL = resolved_sql("ingest_batch")
"""The records of `ingest_batch` resolved; the loader inserts straight from it (see span_load)."""
