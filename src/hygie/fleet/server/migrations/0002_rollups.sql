-- hygie fleet, schema version 2: rollups that answer the statistics without reading reports.
-- Maintained by hygie.fleet.server.rollup.refresh (incremental, from a watermark on
-- report.received_at); read by hygie.fleet.server.stats. See docs/explanation/fleet-scale.md.
--
-- Status columns count devices: ok, warn, fail, unknown, not applicable (report.statuses
-- characters o, w, f, u, n). department '' = the nurse did not give one.

-- "Now": per campaign x department x measure, the devices whose latest report (device.
-- last_statuses) has each status. A few thousand rows for a national campaign.
CREATE TABLE rollup_now (
    campaign_id  integer NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
    department   text NOT NULL,
    measure_pos  smallint NOT NULL,
    ok           integer NOT NULL DEFAULT 0,
    warn         integer NOT NULL DEFAULT 0,
    fail         integer NOT NULL DEFAULT 0,
    unknown      integer NOT NULL DEFAULT 0,
    na           integer NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, department, measure_pos)
);

-- What rollup_now currently counts for each device: the refresh subtracts this and adds the
-- device's current state, so a device is counted once whatever happened in between.
CREATE TABLE rollup_device (
    campaign_id integer NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
    device_id   uuid NOT NULL,
    department  text NOT NULL,
    statuses    text NOT NULL,
    PRIMARY KEY (campaign_id, device_id)
);

-- Over time: per campaign x UTC day x department x measure, the devices by the status of their
-- latest report of that day (a device reporting three times a day counts once).
CREATE TABLE rollup_day (
    campaign_id  integer NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
    day          date NOT NULL,
    department   text NOT NULL,
    measure_pos  smallint NOT NULL,
    ok           integer NOT NULL DEFAULT 0,
    warn         integer NOT NULL DEFAULT 0,
    fail         integer NOT NULL DEFAULT 0,
    unknown      integer NOT NULL DEFAULT 0,
    na           integer NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, day, department, measure_pos)
);
CREATE INDEX rollup_day_measure_idx ON rollup_day (campaign_id, measure_pos, day);

-- Work the next refresh must do besides the new reports: days whose reports were deleted or
-- changed, devices that left. Filled by the triggers below; no foreign key, so a campaign's
-- deletion can cascade through them.
CREATE TABLE rollup_dirty_day (
    campaign_id integer NOT NULL,
    day         date NOT NULL,
    PRIMARY KEY (campaign_id, day)
);
CREATE TABLE rollup_dirty_device (
    campaign_id integer NOT NULL,
    device_id   uuid NOT NULL,
    PRIMARY KEY (campaign_id, device_id)
);

-- One row: the refresh's watermark. Reports received up to received_hwm are counted.
-- Days before frozen_before are never recomputed (their reports may have been archived).
CREATE TABLE rollup_state (
    singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    received_hwm  timestamptz NOT NULL DEFAULT '1970-01-01 00:00Z',
    frozen_before date NOT NULL DEFAULT '1970-01-01',
    refreshed_at  timestamptz
);
INSERT INTO rollup_state DEFAULT VALUES;

-- The refresh finds new reports by received_at, and one day's reports by audited_at. Reports
-- are appended roughly in both orders, so BRIN indexes (a few pages per month) find them at
-- almost no cost to ingest.
CREATE INDEX report_received_brin ON report USING brin (received_at) WITH (autosummarize = on);
CREATE INDEX report_audited_brin ON report USING brin (audited_at) WITH (autosummarize = on);

-- Reports deleted (a device leaving, by ON DELETE CASCADE) or changed by hand. A device that
-- leaves after years must not make the next refresh recount every day it ever reported on, for
-- the whole campaign: when all of a device's reports of a day are gone and all were counted
-- (received before the watermark; the device is in rollup_device, with its department), its
-- latest report of that day is subtracted from rollup_day here, at once. Anything else (some
-- reports of the day remain, one was not counted yet, an UPDATE) marks the day for the next
-- refresh to recount. Waits for a running refresh (lock on rollup_state) so the two never
-- interleave. A campaign being deleted takes its rollups by foreign key: nothing to do.
CREATE FUNCTION fleet_rollup_reports_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    hwm timestamptz;
    frozen date;
BEGIN
    SELECT s.received_hwm, s.frozen_before INTO hwm, frozen FROM rollup_state s FOR SHARE;
    IF TG_OP <> 'DELETE' THEN
        hwm := '-infinity';  -- nothing subtracted: every touched day is recounted
    END IF;
    CREATE TEMP TABLE IF NOT EXISTS _gone_day (
        campaign_id integer, device_id uuid, day date, statuses text, department text,
        subtract boolean
    ) ON COMMIT DROP;
    TRUNCATE _gone_day;
    INSERT INTO _gone_day
    SELECT g.campaign_id, g.device_id, g.day, g.statuses, rd.department,
           rd.device_id IS NOT NULL AND g.last_received < hwm
           AND NOT EXISTS (
               SELECT 1 FROM report r
               WHERE r.campaign_id = g.campaign_id AND r.device_id = g.device_id
                 AND r.audited_at >= g.day::timestamp AT TIME ZONE 'UTC'
                 AND r.audited_at < (g.day + 1)::timestamp AT TIME ZONE 'UTC')
    FROM (
        SELECT o.campaign_id, o.device_id, (o.audited_at AT TIME ZONE 'UTC')::date AS day,
               max(o.received_at) AS last_received,
               (array_agg(o.statuses ORDER BY o.audited_at DESC, o.report_id DESC))[1] AS statuses
        FROM gone o
        WHERE EXISTS (SELECT 1 FROM campaign c WHERE c.id = o.campaign_id)
        GROUP BY 1, 2, 3
    ) g
    LEFT JOIN rollup_device rd ON rd.campaign_id = g.campaign_id AND rd.device_id = g.device_id
    WHERE g.day >= frozen;

    INSERT INTO rollup_dirty_day (campaign_id, day)
    SELECT DISTINCT x.campaign_id, x.day FROM _gone_day x WHERE NOT x.subtract
    ON CONFLICT DO NOTHING;

    UPDATE rollup_day r
    SET ok = r.ok - a.ok, warn = r.warn - a.warn, fail = r.fail - a.fail,
        unknown = r.unknown - a.unknown, na = r.na - a.na
    FROM (
        SELECT y.campaign_id, y.day, y.department, y.position,
               coalesce(sum(y.n) FILTER (WHERE y.ch = 'o'), 0) AS ok,
               coalesce(sum(y.n) FILTER (WHERE y.ch = 'w'), 0) AS warn,
               coalesce(sum(y.n) FILTER (WHERE y.ch = 'f'), 0) AS fail,
               coalesce(sum(y.n) FILTER (WHERE y.ch = 'u'), 0) AS unknown,
               coalesce(sum(y.n) FILTER (WHERE y.ch = 'n'), 0) AS na
        FROM (
            SELECT x.campaign_id, x.day, x.department, m.position,
                   substr(x.statuses, m.position, 1) AS ch, count(*) AS n
            FROM _gone_day x CROSS JOIN measure m
            WHERE x.subtract
            GROUP BY 1, 2, 3, 4, 5
        ) y
        WHERE y.ch <> ''
        GROUP BY 1, 2, 3, 4
    ) a
    WHERE r.campaign_id = a.campaign_id AND r.day = a.day AND r.department = a.department
      AND r.measure_pos = a.position;

    DELETE FROM rollup_day r USING (SELECT DISTINCT campaign_id, day FROM _gone_day
                                    WHERE subtract) t
    WHERE r.campaign_id = t.campaign_id AND r.day = t.day
      AND r.ok = 0 AND r.warn = 0 AND r.fail = 0 AND r.unknown = 0 AND r.na = 0;
    TRUNCATE _gone_day;
    RETURN NULL;
END;
$$;

-- DELETE covers a device leaving (its reports go by ON DELETE CASCADE) and a campaign deleted.
CREATE TRIGGER report_deleted_rollup AFTER DELETE ON report
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION fleet_rollup_reports_changed();
-- Reports are never updated by hygie; should someone do it by hand, the old days are redone
-- (the new ones are found by received_at only if it moved: update it too).
CREATE TRIGGER report_updated_rollup AFTER UPDATE ON report
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION fleet_rollup_reports_changed();

CREATE FUNCTION fleet_rollup_devices_gone() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rollup_dirty_device (campaign_id, device_id)
    SELECT campaign_id, id FROM gone
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;

CREATE TRIGGER device_deleted_rollup AFTER DELETE ON device
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION fleet_rollup_devices_gone();

-- The refresh (hygie.fleet.server.rollup.refresh calls it; docs/explanation/fleet-scale.md).
-- One statement, so one transaction; any client (sync, async, psql, cron) can run it.
CREATE FUNCTION fleet_rollup_refresh(
    full_rebuild boolean DEFAULT false,
    overlap interval DEFAULT '10 seconds',
    OUT skipped boolean, OUT devices integer, OUT days integer, OUT watermark timestamptz
) LANGUAGE plpgsql AS $$
DECLARE
    upper_bound timestamptz;
    hwm timestamptz;
    frozen date;
    chunks integer;
    rec record;
BEGIN
    devices := 0;
    days := 0;
    -- Several servers: one refreshes, the others skip (key = hygie.fleet.server.rollup.LOCK_KEY).
    IF NOT pg_try_advisory_xact_lock(7528161954495623020) THEN
        skipped := true;
        RETURN;
    END IF;
    skipped := false;
    -- received_at is the inserting transaction's now(): a report not committed yet was
    -- received at or after the start of the oldest running transaction, so counting what was
    -- received strictly before that instant never skips one. (Needs to see the server role's sessions: same role, or
    -- pg_read_all_stats.)
    SELECT least(clock_timestamp(), min(a.xact_start)) INTO upper_bound
    FROM pg_stat_activity a
    WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
      AND a.backend_type = 'client backend' AND a.xact_start IS NOT NULL;
    SELECT s.received_hwm, s.frozen_before INTO hwm, frozen FROM rollup_state s FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO rollup_state DEFAULT VALUES RETURNING received_hwm, frozen_before
        INTO hwm, frozen;
    END IF;

    DROP TABLE IF EXISTS _touched_device, _touched_day;
    CREATE TEMP TABLE _touched_device (campaign_id integer, device_id uuid,
        PRIMARY KEY (campaign_id, device_id)) ON COMMIT DROP;
    CREATE TEMP TABLE _touched_day (campaign_id integer, day date,
        PRIMARY KEY (campaign_id, day)) ON COMMIT DROP;

    IF full_rebuild THEN
        DELETE FROM rollup_now;
        DELETE FROM rollup_device;
        DELETE FROM rollup_dirty_device;
        DELETE FROM rollup_dirty_day;
        DELETE FROM rollup_day WHERE day >= frozen;
        INSERT INTO _touched_device SELECT d.campaign_id, d.id FROM device d;
        GET DIAGNOSTICS devices = ROW_COUNT;
        INSERT INTO _touched_day
        SELECT DISTINCT r.campaign_id, (r.audited_at AT TIME ZONE 'UTC')::date FROM report r
        WHERE r.audited_at >= frozen::timestamp AT TIME ZONE 'UTC';
        GET DIAGNOSTICS days = ROW_COUNT;
    ELSE
        -- Overlap with the previous refresh (10 s): recomputing is idempotent, so commit and
        -- clock skew cost a little work, never a count.
        CREATE TEMP TABLE _fresh ON COMMIT DROP AS
        SELECT r.campaign_id, r.device_id, (r.audited_at AT TIME ZONE 'UTC')::date AS day
        FROM report r
        WHERE r.received_at >= hwm - overlap AND r.received_at < upper_bound;
        INSERT INTO _touched_device
        SELECT f.campaign_id, f.device_id FROM _fresh f
        UNION SELECT g.campaign_id, g.device_id FROM rollup_dirty_device g;
        GET DIAGNOSTICS devices = ROW_COUNT;
        INSERT INTO _touched_day
        SELECT u.campaign_id, u.day FROM (
            SELECT f.campaign_id, f.day FROM _fresh f
            UNION SELECT g.campaign_id, g.day FROM rollup_dirty_day g) u
        WHERE u.day >= frozen;
        GET DIAGNOSTICS days = ROW_COUNT;
        -- Consumed here; a trigger firing after this statement's snapshot (a device leaving
        -- right now) leaves its row for the next refresh.
        DELETE FROM rollup_dirty_device g USING _touched_device t
        WHERE g.campaign_id = t.campaign_id AND g.device_id = t.device_id;
        DELETE FROM rollup_dirty_day g USING _touched_day t
        WHERE g.campaign_id = t.campaign_id AND g.day = t.day;
        DELETE FROM rollup_dirty_day g WHERE g.day < frozen;
        DROP TABLE _fresh;
    END IF;
    ANALYZE _touched_device;
    ANALYZE _touched_day;

    -- "Now": subtract what was counted for each touched device, add its current state.
    INSERT INTO rollup_now AS n (campaign_id, department, measure_pos, ok, warn, fail, unknown, na)
    SELECT x.campaign_id, x.department, x.position,
           coalesce(sum(x.n) FILTER (WHERE x.ch = 'o'), 0),
           coalesce(sum(x.n) FILTER (WHERE x.ch = 'w'), 0),
           coalesce(sum(x.n) FILTER (WHERE x.ch = 'f'), 0),
           coalesce(sum(x.n) FILTER (WHERE x.ch = 'u'), 0),
           coalesce(sum(x.n) FILTER (WHERE x.ch = 'n'), 0)
    FROM (
        SELECT b.campaign_id, b.department, m.position, substr(b.statuses, m.position, 1) AS ch,
               sum(b.sign) AS n
        FROM (
            SELECT rd.campaign_id, rd.department, rd.statuses, -1 AS sign
            FROM rollup_device rd
            JOIN _touched_device t ON t.campaign_id = rd.campaign_id AND t.device_id = rd.device_id
            UNION ALL
            SELECT d.campaign_id, coalesce(d.department, ''), d.last_statuses, 1
            FROM device d
            JOIN _touched_device t ON t.campaign_id = d.campaign_id AND t.device_id = d.id
            WHERE d.last_statuses IS NOT NULL
        ) b CROSS JOIN measure m
        GROUP BY 1, 2, 3, 4
    ) x
    WHERE x.ch <> ''
    GROUP BY x.campaign_id, x.department, x.position
    ON CONFLICT (campaign_id, department, measure_pos) DO UPDATE SET
        ok = n.ok + excluded.ok, warn = n.warn + excluded.warn, fail = n.fail + excluded.fail,
        unknown = n.unknown + excluded.unknown, na = n.na + excluded.na;
    DELETE FROM rollup_device rd USING _touched_device t
    WHERE rd.campaign_id = t.campaign_id AND rd.device_id = t.device_id;
    INSERT INTO rollup_device (campaign_id, device_id, department, statuses)
    SELECT d.campaign_id, d.id, coalesce(d.department, ''), d.last_statuses
    FROM device d JOIN _touched_device t ON t.campaign_id = d.campaign_id AND t.device_id = d.id
    WHERE d.last_statuses IS NOT NULL;
    -- groups nobody is counted in any more (the last device of a department left)
    DELETE FROM rollup_now n
    WHERE n.ok = 0 AND n.warn = 0 AND n.fail = 0 AND n.unknown = 0 AND n.na = 0;

    -- Over time: each touched (campaign, UTC day) again from its reports, each device once
    -- with its latest report of the day. One day at a time (its month's partition, the BRIN
    -- index on audited_at, a sort in memory); statuses are counted by chunks of 4 characters
    -- first (at most 5^4 values each), then per character: 4 rows per report instead of 13.
    DELETE FROM rollup_day r USING _touched_day t
    WHERE r.campaign_id = t.campaign_id AND r.day = t.day;
    SELECT (max(m.position) + 3) / 4 INTO chunks FROM measure m;
    FOR rec IN SELECT t.campaign_id, t.day FROM _touched_day t ORDER BY t.campaign_id, t.day LOOP
        INSERT INTO rollup_day (campaign_id, day, department, measure_pos, ok, warn, fail, unknown, na)
        SELECT rec.campaign_id, rec.day, x.department, x.pos,
               coalesce(sum(x.n) FILTER (WHERE x.ch = 'o'), 0),
               coalesce(sum(x.n) FILTER (WHERE x.ch = 'w'), 0),
               coalesce(sum(x.n) FILTER (WHERE x.ch = 'f'), 0),
               coalesce(sum(x.n) FILTER (WHERE x.ch = 'u'), 0),
               coalesce(sum(x.n) FILTER (WHERE x.ch = 'n'), 0)
        FROM (
            SELECT g.department, g.k * 4 + j.j AS pos, substr(g.s, j.j, 1) AS ch, sum(g.n) AS n
            FROM (
                SELECT coalesce(d.department, '') AS department, c.k,
                       substr(l.statuses, c.k * 4 + 1, 4) AS s, count(*) AS n
                FROM (
                    SELECT DISTINCT ON (r.device_id) r.device_id, r.statuses
                    FROM report r
                    WHERE r.campaign_id = rec.campaign_id
                      AND r.audited_at >= rec.day::timestamp AT TIME ZONE 'UTC'
                      AND r.audited_at < (rec.day + 1)::timestamp AT TIME ZONE 'UTC'
                    ORDER BY r.device_id, r.audited_at DESC, r.report_id DESC
                ) l
                JOIN device d ON d.campaign_id = rec.campaign_id AND d.id = l.device_id
                CROSS JOIN generate_series(0, chunks - 1) c(k)
                GROUP BY 1, 2, 3
            ) g
            CROSS JOIN generate_series(1, 4) j(j)
            GROUP BY 1, 2, 3
        ) x
        WHERE x.ch <> ''
        GROUP BY x.department, x.pos;
    END LOOP;

    UPDATE rollup_state SET received_hwm = greatest(received_hwm, upper_bound),
                            refreshed_at = clock_timestamp();
    watermark := upper_bound;
    DROP TABLE _touched_device, _touched_day;
END;
$$;
