-- docsfy's initial schema. Timestamps are UTC text, 'YYYY-MM-DD HH:MM:SS', as docsfy clients
-- expect them.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    username    TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'user', 'viewer')),
    -- argon2id PHC string of the API key: verification if the database ever leaks.
    key_hash    TEXT NOT NULL,
    -- HMAC-SHA256 of the API key under the server secret: finds the user in O(1).
    key_lookup  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE TABLE sessions (
    -- SHA-256 of the session token; the token itself is only ever in the cookie.
    token_hash  TEXT PRIMARY KEY,
    username    TEXT NOT NULL,
    -- For sessions opened with ADMIN_KEY (which has no users row): the key's lookup digest,
    -- so that changing ADMIN_KEY ends them. NULL for users' sessions.
    admin_key   TEXT,
    created_at  TEXT NOT NULL DEFAULT (datetime('now')),
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (username);

CREATE TABLE variants (
    name             TEXT NOT NULL,
    branch           TEXT NOT NULL DEFAULT 'main',
    ai_provider      TEXT NOT NULL,
    ai_model         TEXT NOT NULL,
    -- '' for legacy rows without an owner.
    owner            TEXT NOT NULL DEFAULT '',
    repo_url         TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('generating', 'ready', 'error', 'aborted')),
    current_stage    TEXT,
    last_commit_sha  TEXT,
    last_generated   TEXT,
    page_count       INTEGER NOT NULL DEFAULT 0,
    error_message    TEXT,
    plan_json        TEXT,
    created_at       TEXT NOT NULL DEFAULT (datetime('now')),
    updated_at       TEXT NOT NULL DEFAULT (datetime('now')),
    PRIMARY KEY (name, branch, ai_provider, ai_model, owner)
);
CREATE INDEX variants_by_owner ON variants (owner, name);
CREATE INDEX variants_by_status ON variants (status);

-- A grant shares every variant of (project_name, project_owner) with username.
CREATE TABLE project_access (
    project_name   TEXT NOT NULL,
    project_owner  TEXT NOT NULL,
    username       TEXT NOT NULL,
    created_at     TEXT NOT NULL DEFAULT (datetime('now')),
    PRIMARY KEY (project_name, project_owner, username)
);
CREATE INDEX project_access_by_user ON project_access (username);
