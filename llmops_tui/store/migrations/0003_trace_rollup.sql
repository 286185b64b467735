-- Why: the cockpit lists traces a page at a time over millions of spans. Aggregating each
-- page's spans (models, tokens, cost, span count, errors) took most of a page's time, so each
-- trace gets one row here, kept up to date by every load (store/trace_rollup.py merges the
-- spans a load inserted) and built below from the spans already stored. `spans` stays the
-- contract users' SQL reads; this table is derived from it and can be rebuilt from it.
-- start_time is the root span's start (the first span's until the root arrives); first_start
-- and last_start bound the trace's spans, so opening a trace reads only that stretch of time.
CREATE TABLE traces (
    trace_id      VARCHAR   PRIMARY KEY,
    start_time    TIMESTAMP NOT NULL,
    root_span_id  VARCHAR,
    name          VARCHAR,
    environment   VARCHAR,
    root_prompt   VARCHAR,
    any_prompt    VARCHAR,
    duration_ms   DOUBLE,
    first_start   TIMESTAMP NOT NULL,
    last_start    TIMESTAMP NOT NULL,
    span_count    BIGINT    NOT NULL,
    tokens        BIGINT    NOT NULL,
    cost_usd      DOUBLE,
    has_error     BOOLEAN   NOT NULL,
    models        VARCHAR[] NOT NULL
);

INSERT INTO traces
WITH roots AS (
    SELECT trace_id, span_id, start_time, name, environment, duration_ms,
        coalesce(prompt_name || '@' || prompt_version, prompt_name) AS prompt
    FROM spans
    WHERE parent_span_id IS NULL
    QUALIFY row_number() OVER (PARTITION BY trace_id ORDER BY start_time, span_id) = 1
),
totals AS (
    SELECT trace_id,
        min(start_time) AS first_start,
        max(start_time) AS last_start,
        count(*) AS span_count,
        coalesce(sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)), 0) AS tokens,
        sum(cost_usd) AS cost_usd,
        bool_or(status = 'error') AS has_error,
        list_sort(list_distinct(list(coalesce(request_model, response_model)))) AS models,
        min(coalesce(prompt_name || '@' || prompt_version, prompt_name)) AS any_prompt
    FROM spans
    GROUP BY trace_id
)
SELECT t.trace_id, coalesce(r.start_time, t.first_start), r.span_id, r.name, r.environment,
    r.prompt, t.any_prompt, r.duration_ms, t.first_start, t.last_start, t.span_count, t.tokens,
    t.cost_usd, t.has_error, t.models
FROM totals t LEFT JOIN roots r USING (trace_id)
ORDER BY 2;
