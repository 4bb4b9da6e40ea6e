-- Defaults an admin changes at run time (GET/PUT /api/admin/settings). A key set here is
-- used unless the environment or the config file sets it, which wins.

CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
