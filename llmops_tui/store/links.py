"""Linking spans to the prompt version that produced them (`span_links`).

    store.links.link(*, backfill: bool = False) -> LinkReport
        Link spans not linked yet: all of them with `backfill` (after `versions sync`
        registered new versions), else only spans ingested since the last pass (after an
        ingest batch). Reports how many prompt-bearing spans stayed unlinked.
    store.links.counts() -> LinkReport          totals over the whole store

Two ways, in order:

1. Attributes: `spans.prompt_name` / `prompt_version` (resolved at ingest from every dialect:
   `llmops.prompt.*`, Traceloop, Langfuse, OpenInference) name a registered version: `v3`,
   `3` both mean version 3.
2. Text: the span's rendered system message (the first message when its role is `system`
   or `developer`, else `gen_ai.system_instructions`) is matched against each prompt
   version's system template, whose `{{variables}}` are wildcards (`match_literals`: the
   literal text between variables). A span is compared only with the templates that open
   like it (a hash join on up to 24 characters of its opening text; a template opening
   with a variable meets every span), cheap tests run first (prefix, suffix, byte length),
   then a LIKE pattern `first%middle%last%` (the pattern comes from a column, so DuckDB runs
   its generic matcher: ~2 µs per 1.2 KB message, still ~10x cheaper than RE2). When several
   versions match, the one with the most literal text wins; only spans that met a template
   sharing its opening with another can match several, and only they are grouped. It is one
   statement: messages are parsed once and never stored.

Spans already linked are skipped with one anti join (never a correlated NOT EXISTS, which
copies every scanned message before filtering). On 1M spans (`bench/versions.py`) the text
pass is bound by reading `input_text`, parsing it and LIKE, roughly a third each.

A span counts as unlinked when it carries a message list, prompt attributes or system
instructions and matched no registered version.

Linking only adds rows: a span's own columns are never touched (they are a user contract).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

import polars as pl

from llmops_tui.domain.versions import LinkReport, PromptMatcher

if TYPE_CHECKING:
    import duckdb

    from llmops_tui.store import Store

WATERMARK_KEY = "links.ingested_at"
"""`versions_state` key: spans ingested at or before this were already offered to the linker."""

HAS_PROMPTS_SQL = "select count(*) from artifact_versions where kind = 'prompt'"

SCOPE_SQL = "s.ingested_at > $since"

LINK_BY_ATTRIBUTE_SQL = """
insert into span_links
select s.trace_id, s.span_id, 'prompt', v.name, v.content_hash, 'attribute'
from spans s
join artifact_versions v
  on v.kind = 'prompt' and v.name = s.prompt_name and v.version > 0
 and v.version = try_cast(ltrim(lower(trim(s.prompt_version)), 'v') as integer)
anti join span_links l on l.trace_id = s.trace_id and l.span_id = s.span_id
where s.prompt_name is not null and ({scope})
"""

MATCHERS_SQL = """
select name, content_hash, match_literals from artifact_versions
where kind = 'prompt' and match_literals is not null
"""

KEY_CHARS = 24
"""Characters of a template's opening text used as a hash-join key: a span is only compared
with the templates that open like it (the others are never looked at)."""

CREATE_MATCHERS_SQL = """
create or replace temp table link_matchers as
select name, content_hash, first, last, parts::integer as parts,
    min_length::integer as min_length, min_bytes::integer as min_bytes, key,
    length(key)::integer as key_length, pattern, escaped, alone
from new_matchers
"""

KEY_LENGTHS_SQL = "select list(distinct key_length) from link_matchers"

UNLINKED_IN_SCOPE = """
    from spans s
    -- A plain anti join, not NOT EXISTS: a correlated subquery becomes a delim join that
    -- copies every scanned row, message text included, before filtering (~1 s on 1M spans).
    anti join span_links l on l.trace_id = s.trace_id and l.span_id = s.span_id
    where ({scope})
      and (starts_with(s.input_text, '[') or s.prompt_name is not null
           or contains(s.attributes::varchar, 'gen_ai.system_instructions'))
"""
"""Prompt-bearing spans (a message list, prompt attributes or system instructions) without a
link yet."""

LINK_BY_TEXT_SQL = f"""
insert into span_links
with raw as (
    select s.trace_id, s.span_id,
        -- One parse of the message list for every shape of the first message's text.
        case when starts_with(s.input_text, '[') then try(json_extract_string(s.input_text, [
            '$[0].role', '$[0].parts[0].content', '$[0].content[0].text', '$[0].content'
        ])) end as first,
        case when contains(s.attributes::varchar, 'gen_ai.system_instructions')
             then json_extract_string(s.attributes, '$."gen_ai.system_instructions"') end
             as instructions
    {UNLINKED_IN_SCOPE}
),
texts as (
    select trace_id, span_id,
        coalesce(
            case when first[1] in ('system', 'developer')
                 then coalesce(first[2], first[3], first[4]) end,
            case when starts_with(instructions, '[') then coalesce(
                try(json_extract_string(instructions, '$[0].content')),
                try(json_extract_string(instructions, '$[0].text'))
            ) else instructions end
        ) as system
    from raw
),
candidates as (
    -- Windows line ends normalised as a template file's are (only where there are any).
    select trace_id, span_id,
        case when contains(system, chr(13)) then replace(system, chr(13) || chr(10), chr(10))
             else system end as system
    from texts
    where system is not null
),
keyed as (
    -- A key per opening length some template has, so the join below is a hash join.
    select c.*, k.key_length, left(c.system, k.key_length) as key
    from candidates c cross join (select unnest($key_lengths) as key_length) k
),
hits as materialized (
    select c.trace_id, c.span_id, m.name, m.content_hash, m.min_length, m.alone
    from keyed c join link_matchers m on m.key_length = c.key_length and m.key = c.key
    where starts_with(c.system, m.first)
      -- A trailing line end is tolerated without trimming every message (slow on long
      -- text): a template file ends with one, the rendered message may or may not.
      and (ends_with(c.system, m.last) or ends_with(c.system, m.last || chr(10)))
      -- Bytes, not characters: `strlen` is O(1), `length` walks the whole message. Exact for
      -- the two-part case too (prefix and suffix cannot overlap in that many bytes).
      and strlen(c.system) >= m.min_bytes
      and case
          when m.parts = 1 then rtrim(c.system, chr(10)) = m.first
          when m.parts = 2 then true
          when m.escaped then like_escape(c.system, m.pattern, '\\')
          else c.system like m.pattern
      end
)
-- A span that met a template whose key no other template's key can meet (see `_alone`) has
-- that one hit: only the others need grouping to pick the most literal match.
select trace_id, span_id, 'prompt', name, content_hash, 'text'
from hits
where alone
union all
select trace_id, span_id, 'prompt', arg_max(name, min_length), arg_max(content_hash, min_length),
    'text'
from hits
where not alone
group by trace_id, span_id
"""
"""One statement: messages are parsed once, streamed through the join and never stored."""

PIN_BUILD_SIDE_SQL = "set disabled_optimizers = 'build_side_probe_side'"
UNPIN_BUILD_SIDE_SQL = "reset disabled_optimizers"

PROMPT_BEARING_SQL = """
select count(*) from spans s
where ({scope})
  and (starts_with(s.input_text, '[') or s.prompt_name is not null
       or contains(s.attributes::varchar, 'gen_ai.system_instructions'))
"""

LINK_COUNT_SQL = "select count(*) from span_links"

WATERMARK_SQL = "select max(ingested_at) from spans"

GET_WATERMARK_SQL = f"select value from versions_state where key = '{WATERMARK_KEY}'"

SET_WATERMARK_SQL = f"""
insert into versions_state values ('{WATERMARK_KEY}', $value)
on conflict (key) do update set value = excluded.value
"""

COUNTS_SQL = """
select count(*) filter (where method = 'attribute'), count(*) filter (where method = 'text')
from span_links
"""


def like_pattern(literals: tuple[str, ...]) -> tuple[str, bool]:
    """A LIKE pattern matching the literals in order with anything between them (and an
    optional trailing line end), and whether it needs an escape character.

    LIKE rather than a regular expression: DuckDB runs a constant `a%b%c` pattern as a chain
    of substring searches, about 40x faster than RE2 on long prompts. Without `%` or `\\` in
    the template no escape is needed (an `_` then matches any one character: close enough).
    """
    if not any("%" in part or "\\" in part for part in literals):
        return "%".join(literals) + "%", False
    escaped = (
        part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for part in literals
    )
    return "%".join(escaped) + "%", True


class LinkRepository:
    def __init__(self, store: Store) -> None:
        self._store = store

    def link(self, *, backfill: bool = False) -> LinkReport:
        with self._store.writer() as cur:
            row = cur.execute(HAS_PROMPTS_SQL).fetchone()
            if not row or not row[0]:
                return LinkReport(0, 0, 0)  # nothing registered: ingest pays one tiny query
            since = None if backfill else _watermark(cur)
            scope = "true" if since is None else SCOPE_SQL
            params: dict[str, object] = {} if since is None else {"since": since}
            newest = cur.execute(WATERMARK_SQL).fetchone()
            cur.execute("begin transaction")
            try:
                by_attribute = _count(
                    cur.execute(LINK_BY_ATTRIBUTE_SQL.format(scope=scope), params)
                )
                by_text = self._link_by_text(cur, scope, params)
                # Every linked span is prompt-bearing, and spans in the incremental scope had
                # no link before this pass: the difference is what stayed unlinked.
                bearing = _count(cur.execute(PROMPT_BEARING_SQL.format(scope=scope), params))
                linked = (
                    _count(cur.execute(LINK_COUNT_SQL)) if since is None else by_attribute + by_text
                )
                unlinked = max(0, bearing - linked)
                if newest and newest[0] is not None:
                    cur.execute(SET_WATERMARK_SQL, {"value": newest[0].isoformat()})
                cur.execute("commit")
            except BaseException:
                cur.execute("rollback")
                raise
        return LinkReport(by_attribute, by_text, unlinked)

    def counts(self) -> LinkReport:
        with self._store.reader() as cur:
            row = cur.execute(COUNTS_SQL).fetchone()
        assert row is not None
        return LinkReport(int(row[0]), int(row[1]), 0)

    def _link_by_text(
        self, cur: duckdb.DuckDBPyConnection, scope: str, params: dict[str, object]
    ) -> int:
        matchers = [
            PromptMatcher(name, content_hash, tuple(literals))
            for name, content_hash, literals in cur.execute(MATCHERS_SQL).fetchall()
        ]
        if not matchers:
            return 0
        patterns = [like_pattern(m.literals) for m in matchers]
        frame = pl.DataFrame(
            {
                "name": [m.name for m in matchers],
                "content_hash": [m.content_hash for m in matchers],
                "first": [m.literals[0] for m in matchers],
                "last": [m.literals[-1] if len(m.literals) > 1 else "" for m in matchers],
                "parts": [len(m.literals) for m in matchers],
                "min_length": [m.specificity for m in matchers],
                "min_bytes": [sum(len(part.encode()) for part in m.literals) for m in matchers],
                "key": [m.literals[0][:KEY_CHARS] for m in matchers],
                "pattern": [p for p, _ in patterns],
                "escaped": [e for _, e in patterns],
                "alone": _alone([m.literals[0][:KEY_CHARS] for m in matchers]),
            }
        )
        cur.register("new_matchers", frame)
        try:
            cur.execute(CREATE_MATCHERS_SQL)
        finally:
            cur.unregister("new_matchers")
        row = cur.execute(KEY_LENGTHS_SQL).fetchone()
        lengths = row[0] if row else []
        # Over the whole store the planner builds the anti join's hash table from the spans,
        # message text and all (it underestimates them after the filter): ~1 s of copying
        # on 1M spans. Keep the links as the build side then; an incremental pass has few
        # spans, which is the side the planner rightly picks. The option is global (DuckDB
        # refuses it per session): readers planning meanwhile keep their joins' sides as
        # written, which costs them at most speed, and it is reset on a cursor of its own,
        # which works even when the failed statement left this transaction aborted.
        pin = scope == "true"
        try:
            if pin:
                cur.execute(PIN_BUILD_SIDE_SQL)
            sql = LINK_BY_TEXT_SQL.format(scope=scope)
            linked = _count(cur.execute(sql, params | {"key_lengths": lengths}))
        finally:
            if pin:
                side = cur.cursor()
                try:
                    side.execute(UNPIN_BUILD_SIDE_SQL)
                finally:
                    side.close()
        # Not in `finally`: after a failure the transaction is aborted, a drop would hide the
        # error, and the rollback removes the table anyway (it was created in this pass).
        cur.execute("drop table if exists link_matchers")
        return linked


def _alone(keys: list[str]) -> list[bool]:
    """For each key, whether a message that opens with it can meet no other template.

    A message meets every template whose key it opens with, so two templates can share a
    message only when one key is a prefix of the other (or they are equal). A key in no
    such pair needs no grouping: most spans skip the `group by` on two VARCHARs.
    """
    counts = Counter(keys)
    lengths = sorted({len(key) for key in keys})
    # Every opening of a longer key at a length some key has: a key found here is a prefix
    # of another one.
    openings = {key[:n] for key in keys for n in lengths if n < len(key)}
    return [
        counts[key] == 1
        and key not in openings
        and not any(key[:n] in counts for n in lengths if n < len(key))
        for key in keys
    ]


def _watermark(cur: duckdb.DuckDBPyConnection) -> datetime | None:
    row = cur.execute(GET_WATERMARK_SQL).fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None


def _count(cur: duckdb.DuckDBPyConnection) -> int:
    row = cur.fetchone()
    return int(row[0]) if row else 0
