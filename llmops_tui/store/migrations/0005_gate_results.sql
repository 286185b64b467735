-- Why: the release lifecycle (issue 6) lets a release reach an environment only after the gate
-- passed for it, so every `llmops gate` verdict is kept: which candidate and baseline releases,
-- which runs were compared, whether it passed, and each rule's one-line outcome.
CREATE TABLE gate_results (
    gate_id               VARCHAR   PRIMARY KEY,
    candidate_release_id  VARCHAR,
    baseline_release_id   VARCHAR,
    candidate_run_id      VARCHAR   NOT NULL,
    baseline_run_id       VARCHAR   NOT NULL,
    passed                BOOLEAN   NOT NULL,
    checks                JSON      NOT NULL,
    created_at            TIMESTAMP NOT NULL,
    created_by            VARCHAR
);
