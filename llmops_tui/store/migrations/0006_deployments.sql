-- Why: the release lifecycle (issue 6). Every action on an environment (deploy, a canary
-- step, promote, rollback, a canary plan's analysis) is one row, kept forever, with who, when,
-- why and what it replaced: the environment's state is read back from this history, and the
-- Deploys screen and chart markers show it. A failed target is recorded too (status 'failed').
CREATE TABLE deployments (
    deployment_id        VARCHAR   PRIMARY KEY,
    environment          VARCHAR   NOT NULL,
    action               VARCHAR   NOT NULL
                         CHECK (action IN ('deploy', 'canary', 'promote', 'rollback', 'analysis')),
    status               VARCHAR   NOT NULL CHECK (status IN ('succeeded', 'failed')),
    release_id           VARCHAR   NOT NULL,
    previous_release_id  VARCHAR,
    canary_percent       DOUBLE,
    target               VARCHAR   NOT NULL,
    detail               VARCHAR   NOT NULL,
    actor                VARCHAR   NOT NULL,
    reason               VARCHAR,
    forced               BOOLEAN   NOT NULL DEFAULT false,
    created_at           TIMESTAMP NOT NULL,
    plan_id              VARCHAR,
    step                 INTEGER,
    verdict              VARCHAR   CHECK (verdict IN ('pass', 'marginal', 'fail', 'waiting')),
    -- The order the rows were recorded in (max + 1 at insert; writes are serialised), which
    -- the state follows: two actions may carry the same `created_at` (a replayed history).
    seq                  BIGINT    NOT NULL
);

CREATE INDEX deployments_environment ON deployments (environment, created_at);

-- One `llmops canary run`: the plan it follows (steps, bake), so that a re-run after a crash
-- or a kill continues from its last recorded step with the same plan. `outcome` stays NULL
-- while the plan is open ('promoted', 'rolled_back', 'abandoned' once it is over).
CREATE TABLE canary_plans (
    plan_id              VARCHAR   PRIMARY KEY,
    environment          VARCHAR   NOT NULL,
    release_id           VARCHAR   NOT NULL,
    baseline_release_id  VARCHAR   NOT NULL,
    steps                JSON      NOT NULL,
    bake_seconds         DOUBLE    NOT NULL,
    started_at           TIMESTAMP NOT NULL,
    started_by           VARCHAR   NOT NULL,
    finished_at          TIMESTAMP,
    outcome              VARCHAR   CHECK (outcome IN ('promoted', 'rolled_back', 'abandoned'))
);
