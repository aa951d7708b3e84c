-- hygie fleet, schema version 1: campaigns, devices, reports (partitioned by month).
-- Applied by hygie.fleet.server.migrate in one transaction; the runner records the version.
-- Every table that grows with devices carries campaign_id first: on Citus, campaign_id is the
-- distribution column (docs/explanation/fleet-scale.md).

CREATE TABLE campaign (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 120),
    mode            text NOT NULL CHECK (mode IN ('anonymous', 'identified')),
    join_code_hash  bytea NOT NULL UNIQUE,          -- SHA-256 of the join code, never the code
    join_expires_at timestamptz,                    -- NULL: the code does not expire
    closed_at       timestamptz,                    -- closed: no join, no report
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- The order in which reports store measure statuses (one character each, see report.statuses).
CREATE TABLE measure (
    position   smallint PRIMARY KEY,               -- 1-based position in report.statuses
    measure_id text NOT NULL UNIQUE CHECK (measure_id ~ '^M[0-9]{2}$')
);

CREATE TABLE device (
    campaign_id    integer NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
    id             uuid NOT NULL,                   -- random, chosen by the server at join
    secret_hash    bytea NOT NULL,                  -- SHA-256 of the device secret
    department     text CHECK (department ~ '^(0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|97[1-6])$'),
    label          text CHECK (label IS NULL OR length(label) BETWEEN 1 AND 40),
    os_family      text NOT NULL CHECK (os_family IN ('windows', 'macos', 'linux')),
    hygie_version  text NOT NULL CHECK (length(hygie_version) <= 40),
    joined_at      timestamptz NOT NULL DEFAULT now(),
    -- the device's latest report (what "current devices" counts read)
    last_audited_at timestamptz,
    last_score     smallint,
    last_statuses  text CHECK (last_statuses ~ '^[owfun]+$'),
    PRIMARY KEY (campaign_id, id)
);

-- statuses: one character per measure in measure.position order:
-- o ok, w warn, f fail, u unknown, n not applicable.
CREATE TABLE report (
    campaign_id integer NOT NULL,
    device_id   uuid NOT NULL,
    report_id   uuid NOT NULL,
    audited_at  timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    score       smallint CHECK (score BETWEEN 0 AND 100),
    statuses    text NOT NULL CHECK (statuses ~ '^[owfun]+$'),
    PRIMARY KEY (campaign_id, report_id, audited_at),
    FOREIGN KEY (campaign_id, device_id) REFERENCES device (campaign_id, id) ON DELETE CASCADE
) PARTITION BY RANGE (audited_at);

CREATE INDEX report_device_idx ON report (campaign_id, device_id, audited_at);

-- A device that left (or was removed by an operator): its id and secret hash only, so that its
-- token gets "gone" (410: stop sending, forget the campaign) rather than "invalid" (401).
CREATE TABLE device_removed (
    campaign_id integer NOT NULL,
    id          uuid NOT NULL,
    secret_hash bytea NOT NULL,
    removed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (campaign_id, id)
);

-- Monthly partitions are created ahead by hygie.fleet.server.migrate (fleet_ensure_partitions:
-- 13 months back, 3 ahead, at `fleet init`, at server start, every 6 hours); a default partition
-- catches anything outside them so that no report is ever refused for it. When a month's
-- partition is created, the rows the default partition holds for that month move into it.
CREATE TABLE report_default PARTITION OF report DEFAULT;

CREATE FUNCTION fleet_ensure_partitions(first_month date, last_month date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    m date := date_trunc('month', first_month)::date;
    made integer := 0;
    part text;
    lo timestamptz;
    hi timestamptz;
BEGIN
    WHILE m <= last_month LOOP
        part := format('report_%s', to_char(m, 'YYYY_MM'));
        IF to_regclass(part) IS NULL THEN
            lo := m::timestamp AT TIME ZONE 'UTC';
            hi := (m + interval '1 month')::timestamp AT TIME ZONE 'UTC';
            EXECUTE format('CREATE TABLE %I (LIKE report INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
            EXECUTE format(
                'WITH moved AS (DELETE FROM report_default WHERE audited_at >= %L AND audited_at < %L RETURNING *) '
                'INSERT INTO %I SELECT * FROM moved', lo, hi, part
            );
            EXECUTE format('ALTER TABLE report ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
            made := made + 1;
        END IF;
        m := (m + interval '1 month')::date;
    END LOOP;
    RETURN made;
END;
$$;
