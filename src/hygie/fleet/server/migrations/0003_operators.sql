-- hygie fleet, schema version 3: the operators of the web UI and what signs their sessions.
-- Owned by hygie.fleet.server.ui (accounts.py, sessions.py). See docs/how-to/fleet-operator.md.

-- An operator signs in to the web UI (campaigns, charts, exports). Accounts are made on the
-- server with `hygie fleet operator add` (the password is read from a prompt or stdin).
CREATE TABLE operator (
    id            integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9._@-]{0,63}$'),
    -- "scrypt$<log2 n>$<r>$<p>$<salt b64>$<hash b64>" (hashlib.scrypt), never the password
    password_hash text NOT NULL CHECK (password_hash LIKE 'scrypt$%'),
    -- sessions are signed cookies carrying this number: logging out (or removing the
    -- operator) moves it on, which ends every session of that operator on every server
    session_epoch integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz
);

-- Secrets shared by every server process in front of this database (several stateless
-- servers behind a load balancer sign and check the same cookies). Created by the first
-- server that needs one (INSERT ... ON CONFLICT DO NOTHING, so two starting together agree).
CREATE TABLE server_secret (
    name       text PRIMARY KEY CHECK (name IN ('session')),
    secret     bytea NOT NULL CHECK (length(secret) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Sign-in attempts, to slow down password guessing: a name with too many recent failures is
-- refused for a while (hygie.fleet.server.ui.accounts.THROTTLE_*). An attempt is written
-- before the password is checked (so that parallel guesses count too) and deleted when it
-- succeeds. Rows older than a day are deleted as new ones come. The name is what was typed
-- (it may not be an operator).
CREATE TABLE operator_login_failure (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL CHECK (length(name) <= 64),
    at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX operator_login_failure_idx ON operator_login_failure (name, at);
