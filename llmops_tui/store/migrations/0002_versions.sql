-- Why: the git-native version registry (issue 4). Prompts, model and retrieval configs and
-- eval datasets live as files in the user's repo; a version is a distinct normalised content
-- of one artifact, numbered in order of first appearance in git history. Labels are data with
-- a full move history (rollback and incident timelines read it), releases are the set of
-- artifact versions at a git ref, and span links say which prompt version produced a span
-- without touching the `spans` columns users' SQL relies on.

-- One row per artifact ever seen: `kind` + `name` (its path below the kind's folder, without
-- extension). `deleted_in` is the commit that removed its file (NULL while it exists).
CREATE TABLE artifacts (
    kind        VARCHAR   NOT NULL CHECK (kind IN ('prompt', 'model', 'retrieval', 'dataset')),
    name        VARCHAR   NOT NULL,
    path        VARCHAR   NOT NULL,
    deleted_in  VARCHAR,
    first_seen  TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, name)
);

-- Version 0 is the `working` version: a content only in the working tree (uncommitted). It is
-- replaced on every sync and becomes vN once committed. Committed versions are never renumbered.
-- `variables`, `row_count` and `schema` come from parsing; `problem` says why parsing failed.
-- `match_literals` is a prompt's system template split at its variables (NULL without one):
-- linking matches rendered system messages against it without re-parsing the file.
CREATE TABLE artifact_versions (
    kind          VARCHAR   NOT NULL,
    name          VARCHAR   NOT NULL,
    version       INTEGER   NOT NULL,
    content_hash  VARCHAR   NOT NULL,
    content       VARCHAR   NOT NULL,
    path          VARCHAR   NOT NULL,
    commit_sha    VARCHAR,
    author        VARCHAR,
    author_email  VARCHAR,
    committed_at  TIMESTAMP,
    message       VARCHAR,
    variables     VARCHAR[],
    row_count     BIGINT,
    schema        JSON,
    problem       VARCHAR,
    match_literals VARCHAR[],
    PRIMARY KEY (kind, name, version)
);

-- Which normalised content a git blob holds, so a re-scan or a release at any ref never reads
-- a blob twice.
CREATE TABLE artifact_blobs (
    blob          VARCHAR PRIMARY KEY,
    content_hash  VARCHAR NOT NULL
);

-- Registry bookkeeping: the last commit scanned (incremental scans read only newer commits).
CREATE TABLE versions_state (
    key    VARCHAR PRIMARY KEY,
    value  VARCHAR
);

-- A release: the artifact versions at a git ref or in the working tree. Its id is a hash of
-- its manifest, so the same set of contents is the same release whichever ref names it.
CREATE TABLE releases (
    release_id  VARCHAR   PRIMARY KEY,
    ref         VARCHAR,
    commit_sha  VARCHAR,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE release_artifacts (
    release_id    VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    content_hash  VARCHAR NOT NULL,
    PRIMARY KEY (release_id, kind, name)
);

-- Where each label points now. Artifact labels name (kind, name, version); release labels
-- have kind = 'release', name = '' and a release_id.
CREATE TABLE labels (
    kind        VARCHAR   NOT NULL,
    name        VARCHAR   NOT NULL,
    label       VARCHAR   NOT NULL,
    version     INTEGER,
    release_id  VARCHAR,
    set_at      TIMESTAMP NOT NULL,
    set_by      VARCHAR   NOT NULL,
    reason      VARCHAR,
    PRIMARY KEY (kind, name, label)
);

-- Every label move, never updated or deleted: what rollback and incident timelines read.
CREATE TABLE label_history (
    kind           VARCHAR   NOT NULL,
    name           VARCHAR   NOT NULL,
    label          VARCHAR   NOT NULL,
    from_version   INTEGER,
    to_version     INTEGER,
    from_release   VARCHAR,
    to_release     VARCHAR,
    moved_at       TIMESTAMP NOT NULL,
    moved_by       VARCHAR   NOT NULL,
    reason         VARCHAR
);

-- Which prompt version produced a span: by its attributes (`method` = 'attribute') or by
-- matching its rendered system message against the version's template ('text'). Keyed by
-- content hash, so a working version that gets committed keeps its links. One row per span at
-- most; the linker only offers spans without a link, so no key index is kept (an index on
-- two VARCHARs made linking a million spans several times slower).
CREATE TABLE span_links (
    trace_id      VARCHAR NOT NULL,
    span_id       VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    content_hash  VARCHAR NOT NULL,
    method        VARCHAR NOT NULL CHECK (method IN ('attribute', 'text'))
);
