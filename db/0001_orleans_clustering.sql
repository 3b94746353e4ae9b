-- Ledger: Orleans 10.4.2 ADO.NET clustering schema for PostgreSQL (15+).
--
-- The NuGet package Microsoft.Orleans.Clustering.AdoNet ships no SQL, so the project
-- provides the tables and the query catalogue the provider reads at start-up
-- ("SELECT QueryKey, QueryText FROM OrleansQuery").
--
-- Contract (Orleans 10.4.2, Orleans.Clustering.AdoNet):
--   required keys: UpdateIAmAlivetimeKey, InsertMembershipVersionKey, InsertMembershipKey,
--                  UpdateMembershipKey, MembershipReadRowKey, MembershipReadAllKey,
--                  DeleteMembershipTableEntriesKey, GatewaysQueryKey, CleanupDefunctSiloEntriesKey
--   optional key:  CleanupDefunctSiloEntryKey (when present, 10.4.2 prunes Dead rows one by one
--                  using the values it read; CleanupDefunctSiloEntriesKey is then not used)
--   parameters:    @DeploymentId (= ClusterId), @Address, @Port, @Generation, @SiloName, @HostName,
--                  @Status, @ProxyPort, @SuspectTimes, @StartTime, @IAmAliveTime, @Version
--   result columns are read by name: DeploymentId, Address, Port, Generation, SiloName, HostName,
--                  Status, ProxyPort, SuspectTimes, StartTime, IAmAliveTime, Version;
--                  Insert*/Update* keys must return exactly one row with one integer column (>0 = success).
--
-- Idempotent: safe to run any number of times (IF NOT EXISTS, CREATE OR REPLACE, upserted query text).
-- Never drops or rewrites data. Executed as one multi-statement command (no psql meta-commands).
-- OrleansQuery is defined here only; 0002_orleans_persistence.sql relies on it.

-- Serialize concurrent runs of these scripts (held until the end of the surrounding transaction;
-- a multi-statement Npgsql command runs as one implicit transaction).
SELECT pg_advisory_xact_lock(7301202601);

-- Query catalogue read by every Orleans ADO.NET provider.
CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,

    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);

-- One row per cluster (DeploymentId = ClusterId); Version is the membership table's ETag.
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150)   NOT NULL,
    Timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    Version      integer        NOT NULL DEFAULT 0,

    CONSTRAINT PK_OrleansMembershipVersionTable_DeploymentId PRIMARY KEY (DeploymentId)
);

-- One row per silo incarnation (address, port, generation).
CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150)   NOT NULL,
    Address      varchar(45)    NOT NULL,
    Port         integer        NOT NULL,
    Generation   integer        NOT NULL,
    SiloName     varchar(150)   NOT NULL,
    HostName     varchar(150)   NOT NULL,
    Status       integer        NOT NULL,
    ProxyPort    integer        NULL,
    SuspectTimes text           NULL,
    StartTime    timestamptz(3) NOT NULL,
    IAmAliveTime timestamptz(3) NOT NULL,

    CONSTRAINT PK_MembershipTable_DeploymentId PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_MembershipTable_MembershipVersionTable_DeploymentId
        FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- Insert a silo row and bump the table version, atomically and only if @Version is still current.
-- Returns 1 on success, 0 if the version was stale or the row already exists (nothing changed).
CREATE OR REPLACE FUNCTION insert_membership(
    p_deployment_id  text,
    p_address        text,
    p_port           integer,
    p_generation     integer,
    p_silo_name      text,
    p_host_name      text,
    p_status         integer,
    p_proxy_port     integer,
    p_start_time     timestamptz,
    p_i_am_alive     timestamptz,
    p_version        integer)
  RETURNS TABLE(row_count integer)
  LANGUAGE plpgsql
AS $fn$
DECLARE
    n integer := 0;
BEGIN
    BEGIN
        UPDATE OrleansMembershipVersionTable AS v
        SET    Timestamp = now(),
               Version   = v.Version + 1
        WHERE  v.DeploymentId = p_deployment_id
          AND  v.Version = p_version
          AND  v.Version < 2147483647;
        GET DIAGNOSTICS n = ROW_COUNT;

        IF n > 0 THEN
            INSERT INTO OrleansMembershipTable
                (DeploymentId, Address, Port, Generation, SiloName, HostName,
                 Status, ProxyPort, StartTime, IAmAliveTime)
            VALUES
                (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name,
                 p_status, p_proxy_port, p_start_time, p_i_am_alive)
            ON CONFLICT (DeploymentId, Address, Port, Generation) DO NOTHING;
            GET DIAGNOSTICS n = ROW_COUNT;

            IF n = 0 THEN
                -- Row already present: undo the version bump.
                RAISE EXCEPTION 'membership row already exists' USING ERRCODE = 'LDG01';
            END IF;
        END IF;
    EXCEPTION
        WHEN SQLSTATE 'LDG01' THEN
            n := 0;
    END;

    RETURN QUERY SELECT n;
END
$fn$;

-- Update a silo row and bump the table version, atomically and only if @Version is still current.
-- Returns 1 on success, 0 otherwise (nothing changed).
CREATE OR REPLACE FUNCTION update_membership(
    p_deployment_id  text,
    p_address        text,
    p_port           integer,
    p_generation     integer,
    p_status         integer,
    p_suspect_times  text,
    p_i_am_alive     timestamptz,
    p_version        integer)
  RETURNS TABLE(row_count integer)
  LANGUAGE plpgsql
AS $fn$
DECLARE
    n integer := 0;
BEGIN
    BEGIN
        UPDATE OrleansMembershipVersionTable AS v
        SET    Timestamp = now(),
               Version   = v.Version + 1
        WHERE  v.DeploymentId = p_deployment_id
          AND  v.Version = p_version
          AND  v.Version < 2147483647;
        GET DIAGNOSTICS n = ROW_COUNT;

        IF n > 0 THEN
            UPDATE OrleansMembershipTable AS m
            SET    Status       = p_status,
                   SuspectTimes = p_suspect_times,
                   IAmAliveTime = GREATEST(m.IAmAliveTime, p_i_am_alive)
            WHERE  m.DeploymentId = p_deployment_id
              AND  m.Address = p_address
              AND  m.Port = p_port
              AND  m.Generation = p_generation;
            GET DIAGNOSTICS n = ROW_COUNT;

            IF n = 0 THEN
                -- No such row: undo the version bump.
                RAISE EXCEPTION 'membership row not found' USING ERRCODE = 'LDG01';
            END IF;
        END IF;
    EXCEPTION
        WHEN SQLSTATE 'LDG01' THEN
            n := 0;
    END;

    RETURN QUERY SELECT n;
END
$fn$;

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
(
    'UpdateIAmAlivetimeKey', $q$
    -- Heartbeat; never moves IAmAliveTime backwards. Result is not checked by Orleans.
    UPDATE OrleansMembershipTable
    SET    IAmAliveTime = GREATEST(IAmAliveTime, @IAmAliveTime)
    WHERE  DeploymentId = @DeploymentId AND @DeploymentId IS NOT NULL
      AND  Address = @Address AND @Address IS NOT NULL
      AND  Port = @Port AND @Port IS NOT NULL
      AND  Generation = @Generation AND @Generation IS NOT NULL;
$q$
),
(
    'InsertMembershipVersionKey', $q$
    WITH inserted AS (
        INSERT INTO OrleansMembershipVersionTable (DeploymentId)
        VALUES (@DeploymentId)
        ON CONFLICT (DeploymentId) DO NOTHING
        RETURNING 1
    )
    SELECT count(*)::integer AS row_count FROM inserted;
$q$
),
(
    'InsertMembershipKey', $q$
    SELECT row_count FROM insert_membership(
        @DeploymentId,
        @Address,
        @Port,
        @Generation,
        @SiloName,
        @HostName,
        @Status,
        @ProxyPort,
        @StartTime,
        @IAmAliveTime,
        @Version
    );
$q$
),
(
    'UpdateMembershipKey', $q$
    SELECT row_count FROM update_membership(
        @DeploymentId,
        @Address,
        @Port,
        @Generation,
        @Status,
        @SuspectTimes,
        @IAmAliveTime,
        @Version
    );
$q$
),
(
    'MembershipReadRowKey', $q$
    SELECT
        v.DeploymentId,
        m.Address,
        m.Port,
        m.Generation,
        m.SiloName,
        m.HostName,
        m.Status,
        m.ProxyPort,
        m.SuspectTimes,
        m.StartTime,
        m.IAmAliveTime,
        v.Version
    FROM
        OrleansMembershipVersionTable v
        -- Returns the version row even when there is no matching silo row.
        LEFT OUTER JOIN OrleansMembershipTable m
            ON  v.DeploymentId = m.DeploymentId
            AND m.Address = @Address AND @Address IS NOT NULL
            AND m.Port = @Port AND @Port IS NOT NULL
            AND m.Generation = @Generation AND @Generation IS NOT NULL
    WHERE
        v.DeploymentId = @DeploymentId AND @DeploymentId IS NOT NULL;
$q$
),
(
    'MembershipReadAllKey', $q$
    SELECT
        v.DeploymentId,
        m.Address,
        m.Port,
        m.Generation,
        m.SiloName,
        m.HostName,
        m.Status,
        m.ProxyPort,
        m.SuspectTimes,
        m.StartTime,
        m.IAmAliveTime,
        v.Version
    FROM
        OrleansMembershipVersionTable v
        LEFT OUTER JOIN OrleansMembershipTable m
            ON v.DeploymentId = m.DeploymentId
    WHERE
        v.DeploymentId = @DeploymentId AND @DeploymentId IS NOT NULL;
$q$
),
(
    'DeleteMembershipTableEntriesKey', $q$
    DELETE FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId AND @DeploymentId IS NOT NULL;
    DELETE FROM OrleansMembershipVersionTable
    WHERE DeploymentId = @DeploymentId AND @DeploymentId IS NOT NULL;
$q$
),
(
    'GatewaysQueryKey', $q$
    -- @Status is SiloStatus.Active (3); only silos with a gateway (client) port.
    SELECT
        Address,
        ProxyPort,
        Generation
    FROM
        OrleansMembershipTable
    WHERE
        DeploymentId = @DeploymentId AND @DeploymentId IS NOT NULL
        AND Status = @Status AND @Status IS NOT NULL
        AND ProxyPort > 0;
$q$
),
(
    'CleanupDefunctSiloEntriesKey', $q$
    -- Bulk fallback (used only when CleanupDefunctSiloEntryKey is absent):
    -- remove Dead (6) rows with no activity and no suspicion since the cut-off.
    DELETE FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId AND @DeploymentId IS NOT NULL
        AND IAmAliveTime < @IAmAliveTime
        AND StartTime < @IAmAliveTime
        AND COALESCE(SuspectTimes, '') = ''
        AND Status = 6;
$q$
),
(
    'CleanupDefunctSiloEntryKey', $q$
    -- Remove one Dead (6) row only if it still holds exactly the values Orleans read.
    DELETE FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId AND @DeploymentId IS NOT NULL
        AND Address = @Address
        AND Port = @Port
        AND Generation = @Generation
        AND Status = 6
        AND IAmAliveTime = @IAmAliveTime
        AND StartTime = @StartTime
        AND COALESCE(SuspectTimes, '') = COALESCE(@SuspectTimes, '');
$q$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
