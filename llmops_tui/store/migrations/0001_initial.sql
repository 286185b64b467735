-- Why: the first schema. `spans` is the contract users' own SQL reads (DESIGN §3): keep its
-- column names and status values. Token counts are inclusive (OTel >= 1.40): input includes
-- cache reads and writes, output includes reasoning. cost_usd is NULL when no price is known
-- (cost_source = 'unpriced'), never 0. Times are UTC.
CREATE TABLE spans (
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
    input_text          VARCHAR,
    output_text         VARCHAR,
    attributes          JSON,
    resource_attributes JSON,
    events              JSON,
    source              VARCHAR,
    ingested_at         TIMESTAMP NOT NULL,
    PRIMARY KEY (trace_id, span_id)
);

-- User feedback and judge scores attached to traces (OTel `gen_ai.evaluation.result` events,
-- later the review queue). The key makes re-ingesting the same event a no-op.
CREATE TABLE feedback (
    trace_id    VARCHAR   NOT NULL,
    span_id     VARCHAR   NOT NULL,
    name        VARCHAR   NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    score       DOUBLE,
    label       VARCHAR,
    comment     VARCHAR,
    source      VARCHAR,
    PRIMARY KEY (trace_id, span_id, name, created_at)
);

-- One row per input file: how far it has been read. `fingerprint` samples the consumed
-- prefix, so a file that was replaced or rotated under the same path is read again from the
-- start, while a file that only grew resumes at `offset_bytes`.
CREATE TABLE ingest_sources (
    path            VARCHAR   PRIMARY KEY,
    format          VARCHAR   NOT NULL,
    size_bytes      BIGINT    NOT NULL,
    offset_bytes    BIGINT    NOT NULL,
    lines_consumed  BIGINT    NOT NULL,
    fingerprint     VARCHAR   NOT NULL,
    complete        BOOLEAN   NOT NULL,
    spans_loaded    BIGINT    NOT NULL,
    duplicates      BIGINT    NOT NULL,
    rejects         BIGINT    NOT NULL,
    first_seen_at   TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

-- Lines (or spans inside a line) that could not be loaded, with the reason, so nothing is
-- dropped silently and a user can fix and re-send them.
CREATE TABLE ingest_rejects (
    source      VARCHAR   NOT NULL,
    line        BIGINT    NOT NULL,
    reason      VARCHAR   NOT NULL,
    excerpt     VARCHAR,
    rejected_at TIMESTAMP NOT NULL
);
