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
   literal text between variables). Cheap tests run first (prefix, suffix, length), the
   regular expression only on what passes, one statement per template so DuckDB compiles
   each pattern once. When several versions match, the one with the most literal text wins.

Linking only adds rows: a span's own columns are never touched (they are a user contract).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

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
where s.prompt_name is not null and ({scope})
  and not exists (
      select 1 from span_links l where l.trace_id = s.trace_id and l.span_id = s.span_id
  )
on conflict do nothing
"""

TEXT_CANDIDATES_SQL = """
create or replace temp table link_candidates as
with raw as (
    select s.trace_id, s.span_id, s.prompt_name,
        case when starts_with(ltrim(s.input_text), '[') and json_valid(s.input_text)
             then json_extract(s.input_text, '$[0]') end as first,
        case when contains(s.attributes::varchar, 'gen_ai.system_instructions')
             then json_extract_string(s.attributes, '$."gen_ai.system_instructions"') end
             as instructions
    from spans s
    where ({scope})
      and (starts_with(ltrim(s.input_text), '[') or s.prompt_name is not null
           or contains(s.attributes::varchar, 'gen_ai.system_instructions'))
      and not exists (
          select 1 from span_links l where l.trace_id = s.trace_id and l.span_id = s.span_id
      )
),
texts as (
    select trace_id, span_id, prompt_name,
        coalesce(
            case when first->>'role' in ('system', 'developer') then coalesce(
                case when json_type(first, '$.content') = 'VARCHAR' then first->>'content' end,
                nullif(array_to_string(json_extract_string(first, '$.parts[*].content'), ''), ''),
                nullif(array_to_string(json_extract_string(first, '$.content[*].text'), ''), '')
            ) end,
            case when json_valid(instructions) then coalesce(
                nullif(array_to_string(json_extract_string(instructions, '$[*].content'), ''), ''),
                nullif(array_to_string(json_extract_string(instructions, '$[*].text'), ''), '')
            ) else instructions end
        ) as system
    from raw
)
select trace_id, span_id, prompt_name,
    trim(regexp_replace(replace(system, chr(13) || chr(10), chr(10)), '[ \\t]+\\n', chr(10), 'g'),
         ' ' || chr(9) || chr(10) || chr(13)) as system
from texts
"""

MATCHERS_SQL = """
select name, content_hash, match_literals from artifact_versions
where kind = 'prompt' and match_literals is not null
"""

CREATE_HITS_SQL = """
create or replace temp table link_hits (
    trace_id VARCHAR, span_id VARCHAR, name VARCHAR, content_hash VARCHAR, specificity INTEGER
)
"""

EXACT_HITS_SQL = """
insert into link_hits
select trace_id, span_id, $name, $hash, $specificity from link_candidates
where system = $first
"""

AFFIX_HITS_SQL = """
insert into link_hits
select trace_id, span_id, $name, $hash, $specificity from link_candidates
where starts_with(system, $first) and ends_with(system, $last)
  and length(system) >= $min_length
"""

PATTERN_HITS_SQL = """
insert into link_hits
select trace_id, span_id, $name, $hash, $specificity from link_candidates
where starts_with(system, $first) and ends_with(system, $last)
  and length(system) >= $min_length and regexp_full_match(system, $pattern)
"""

LINK_BY_TEXT_SQL = """
insert into span_links
select trace_id, span_id, 'prompt', arg_max(name, specificity), arg_max(content_hash, specificity),
    'text'
from link_hits
group by trace_id, span_id
on conflict do nothing
"""

UNLINKED_SQL = """
select count(*) from link_candidates c
where (c.system is not null or c.prompt_name is not null)
  and not exists (
      select 1 from span_links l where l.trace_id = c.trace_id and l.span_id = c.span_id
  )
"""

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

_REGEX_SPECIAL = frozenset("\\.^$|?*+()[]{}")


def pattern(literals: tuple[str, ...]) -> str:
    """An RE2 pattern matching the literals in order with anything between them."""
    escaped = ("".join("\\" + c if c in _REGEX_SPECIAL else c for c in part) for part in literals)
    return "(?s)" + ".*".join(escaped)


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
            params = {} if since is None else {"since": since}
            newest = cur.execute(WATERMARK_SQL).fetchone()
            cur.execute("begin transaction")
            try:
                by_attribute = _count(
                    cur.execute(LINK_BY_ATTRIBUTE_SQL.format(scope=scope), params)
                )
                cur.execute(TEXT_CANDIDATES_SQL.format(scope=scope), params)
                by_text = self._link_by_text(cur)
                unlinked = _count(cur.execute(UNLINKED_SQL))
                if newest and newest[0] is not None:
                    cur.execute(SET_WATERMARK_SQL, {"value": newest[0].isoformat()})
                cur.execute("commit")
            except BaseException:
                cur.execute("rollback")
                raise
            finally:
                cur.execute("drop table if exists link_candidates")
                cur.execute("drop table if exists link_hits")
        return LinkReport(by_attribute, by_text, unlinked)

    def counts(self) -> LinkReport:
        with self._store.reader() as cur:
            row = cur.execute(COUNTS_SQL).fetchone()
        assert row is not None
        return LinkReport(int(row[0]), int(row[1]), 0)

    def _link_by_text(self, cur: duckdb.DuckDBPyConnection) -> int:
        matchers = [
            PromptMatcher(name, content_hash, tuple(literals))
            for name, content_hash, literals in cur.execute(MATCHERS_SQL).fetchall()
        ]
        if not matchers:
            return 0
        cur.execute(CREATE_HITS_SQL)
        for matcher in matchers:
            literals = matcher.literals
            params: dict[str, object] = {
                "name": matcher.name,
                "hash": matcher.content_hash,
                "specificity": matcher.specificity,
                "first": literals[0],
            }
            if len(literals) == 1:
                cur.execute(EXACT_HITS_SQL, params)
                continue
            params |= {"last": literals[-1], "min_length": matcher.specificity}
            if len(literals) == 2:
                cur.execute(AFFIX_HITS_SQL, params)
            else:
                cur.execute(PATTERN_HITS_SQL, params | {"pattern": pattern(literals)})
        return _count(cur.execute(LINK_BY_TEXT_SQL))


def _watermark(cur: duckdb.DuckDBPyConnection) -> datetime | None:
    row = cur.execute(GET_WATERMARK_SQL).fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None


def _count(cur: duckdb.DuckDBPyConnection) -> int:
    row = cur.fetchone()
    return int(row[0]) if row else 0
