-- Why: a span's attributes (its whole JSON, ~2.2 KB on typical LLM spans) and its message
-- text make up most of a store, and DuckDB's automatic choice stored the attributes
-- uncompressed and the text FSST-compressed: ~4.1 GB per million benchmark spans, and a
-- load spent a third of its time writing that. ZSTD (DuckDB storage v1.2+, which writers
-- now attach with: connection.WRITE_STORAGE_VERSION) stores the same text in a fraction of
-- the space, and the load got faster for writing less (measured on 1M flat spans: file
-- 4.1 GB -> 0.3 GB, load ~38 s -> ~27 s; real traces repeat themselves less than the
-- benchmark's, so expect less). DuckDB cannot change a column's compression in place: the
-- table is rebuilt, so spans stored already are compressed too. Rows keep their order
-- without an ORDER BY (DuckDB's insert from a scan keeps it): sorting by rowid held the
-- whole table in memory, 10 GB for a million spans.
CREATE TABLE spans_rebuilt (
    trace_id            VARCHAR   NOT NULL,
    span_id             VARCHAR   NOT NULL,
    parent_span_id      VARCHAR,
    name                VARCHAR,
    kind                VARCHAR,
    start_time          TIMESTAMP NOT NULL,
    end_time            TIMESTAMP,
    duration_ms         DOUBLE,
    status              VARCHAR   NOT NULL CHECK (status IN ('ok', 'error', 'unset')),
    status_message      VARCHAR,
    operation           VARCHAR,
    provider            VARCHAR,
    request_model       VARCHAR,
    response_model      VARCHAR,
    input_tokens        BIGINT,
    output_tokens       BIGINT,
    cache_read_tokens   BIGINT,
    cache_write_tokens  BIGINT,
    reasoning_tokens    BIGINT,
    cost_usd            DOUBLE,
    cost_source         VARCHAR CHECK (cost_source IN ('reported', 'computed', 'unpriced')),
    prompt_name         VARCHAR,
    prompt_version      VARCHAR,
    release_id          VARCHAR,
    environment         VARCHAR,
    service_name        VARCHAR,
    user_id             VARCHAR,
    session_id          VARCHAR,
    input_text          VARCHAR USING COMPRESSION zstd,
    output_text         VARCHAR USING COMPRESSION zstd,
    attributes          JSON USING COMPRESSION zstd,
    resource_attributes JSON,
    events              JSON,
    source              VARCHAR,
    ingested_at         TIMESTAMP NOT NULL
);
INSERT INTO spans_rebuilt (trace_id, span_id, parent_span_id, name, kind, start_time, end_time, duration_ms, status, status_message, operation, provider, request_model, response_model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_usd, cost_source, prompt_name, prompt_version, release_id, environment, service_name, user_id, session_id, input_text, output_text, attributes, resource_attributes, events, source, ingested_at)
SELECT trace_id, span_id, parent_span_id, name, kind, start_time, end_time, duration_ms, status, status_message, operation, provider, request_model, response_model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_usd, cost_source, prompt_name, prompt_version, release_id, environment, service_name, user_id, session_id, input_text, output_text, attributes, resource_attributes, events, source, ingested_at FROM spans;
DROP TABLE spans;
ALTER TABLE spans_rebuilt RENAME TO spans;
