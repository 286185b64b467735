-- Why: evaluation (issue 5). Runs made by `llmops eval run` and runs imported from promptfoo,
-- inspect-ai and OpenAI Evals share one shape so that compare, gate and the Evals screen read
-- them alike. A result row is one case × repetition × judge; the answer (output, latency,
-- tokens, cost) repeats on each judge's row of a case so every row stands on its own.

-- `suite_hash` hashes everything that decides the results (release, dataset content, provider,
-- model, parameters, judges, repeat): a finished run with the same hash is reused by the gate,
-- a `running` one is resumed. Imported runs keep `source` and `source_path`.
CREATE TABLE eval_runs (
    run_id           VARCHAR     PRIMARY KEY,
    source           VARCHAR     NOT NULL
                     CHECK (source IN ('llmops', 'promptfoo', 'inspect-ai', 'openai-evals')),
    status           VARCHAR     NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
    started_at       TIMESTAMP   NOT NULL,
    finished_at      TIMESTAMP  ,
    release_id       VARCHAR,
    release_ref      VARCHAR,
    dataset          VARCHAR,
    dataset_version  INTEGER,
    prompt           VARCHAR,
    prompt_version   INTEGER,
    provider         VARCHAR,
    model            VARCHAR,
    repeat           INTEGER     NOT NULL DEFAULT 1,
    suite_hash       VARCHAR,
    created_by       VARCHAR,
    label            VARCHAR,
    source_path      VARCHAR,
    config           JSON
);

-- `passed` is NULL only when the case errored before it could be judged (`error` says why);
-- such a row counts as a failure. `cached` marks an answer served from the response cache.
-- `trace_id`/`span_id` point at the provider call, which is also stored as a span.
CREATE TABLE eval_results (
    run_id           VARCHAR  NOT NULL,
    case_id          VARCHAR  NOT NULL,
    repetition       INTEGER  NOT NULL,
    judge            VARCHAR  NOT NULL,
    passed           BOOLEAN,
    score            DOUBLE,
    reason           VARCHAR,
    error            VARCHAR,
    output           VARCHAR,
    input            JSON,
    expected         JSON,
    latency_ms       DOUBLE,
    input_tokens     BIGINT,
    output_tokens    BIGINT,
    cost_usd         DOUBLE,
    judge_cost_usd   DOUBLE,
    cached           BOOLEAN  NOT NULL DEFAULT false,
    trace_id         VARCHAR,
    span_id          VARCHAR,
    required         BOOLEAN  NOT NULL DEFAULT false,
    tags             VARCHAR[],
    created_at       TIMESTAMP   NOT NULL,
    PRIMARY KEY (run_id, case_id, repetition, judge)
);

-- Provider answers by request hash (model, messages, parameters, options that change the
-- answer, repetition): a re-run of an unchanged case costs nothing.
CREATE TABLE eval_response_cache (
    request_hash  VARCHAR     PRIMARY KEY,
    provider      VARCHAR     NOT NULL,
    response      JSON        NOT NULL,
    created_at    TIMESTAMP   NOT NULL
);
