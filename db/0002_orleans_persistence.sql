-- Ledger: Orleans 10.4.2 ADO.NET grain persistence schema for PostgreSQL (15+).
--
-- Requires only the OrleansQuery table from 0001_orleans_clustering.sql.
--
-- Contract (Orleans 10.4.2, Orleans.Persistence.AdoNet, AdoNetGrainStorage):
--   required keys: WriteToStorageKey, ReadFromStorageKey, ClearStorageKey
--   optional key:  DeleteStorageKey (needed only with AdoNetGrainStorageOptions.DeleteStateOnClear = true)
--   parameters:    @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
--                  @GrainIdExtensionString, @ServiceId, @GrainStateVersion (ETag as int, NULL = never read),
--                  @PayloadBinary (write only; 10.x always stores the serializer output here)
--   results:       Read -> columns PayloadBinary, Version;
--                  Write -> one row, column NewGrainStateVersion;
--                  Clear/Delete -> first column of the single row = new version, no row = conflict.
--
-- ETag fencing: a write/clear/delete whose @GrainStateVersion is not the stored Version changes
-- nothing and returns NULL / no row, which Orleans turns into InconsistentStateException.
-- A write with NULL version (first write) only succeeds if no row exists (unique index below).
--
-- Idempotent: safe to run any number of times. Never drops or rewrites data.

SELECT pg_advisory_xact_lock(7301202601);

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer      NOT NULL,
    GrainIdN0              bigint       NOT NULL,
    GrainIdN1              bigint       NOT NULL,
    GrainTypeHash          integer      NOT NULL,
    GrainTypeString        varchar(512) NOT NULL,
    GrainIdExtensionString varchar(512) NULL,
    ServiceId              varchar(150) NOT NULL,
    PayloadBinary          bytea        NULL,
    ModifiedOn             timestamptz  NOT NULL DEFAULT now(),
    Version                integer      NOT NULL
);

-- One row per (service, grain type, grain id); NULL extension strings compare equal (PostgreSQL 15+),
-- so concurrent first writes cannot create duplicates. Leading hash columns serve the lookups.
CREATE UNIQUE INDEX IF NOT EXISTS UX_OrleansStorage_Grain
    ON OrleansStorage (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString,
                       GrainIdExtensionString, ServiceId)
    NULLS NOT DISTINCT;

-- Version-fenced upsert. Returns the new version, or NULL if the caller's version is stale
-- (or, for a first write, if a row already exists).
CREATE OR REPLACE FUNCTION ledger_orleans_write_state(
    p_grain_id_hash     integer,
    p_grain_id_n0       bigint,
    p_grain_id_n1       bigint,
    p_grain_type_hash   integer,
    p_grain_type        text,
    p_grain_id_ext      text,
    p_service_id        text,
    p_version           integer,
    p_payload           bytea)
  RETURNS TABLE(NewGrainStateVersion integer)
  LANGUAGE plpgsql
AS $fn$
DECLARE
    new_version integer := NULL;
BEGIN
    IF p_version IS NULL THEN
        INSERT INTO OrleansStorage AS s
            (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
             GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
        VALUES
            (p_grain_id_hash, p_grain_id_n0, p_grain_id_n1, p_grain_type_hash, p_grain_type,
             p_grain_id_ext, p_service_id, p_payload, now(), 1)
        ON CONFLICT DO NOTHING
        RETURNING s.Version INTO new_version;
    ELSE
        UPDATE OrleansStorage AS s
        SET    PayloadBinary = p_payload,
               ModifiedOn    = now(),
               Version       = s.Version + 1
        WHERE  s.GrainIdHash = p_grain_id_hash
          AND  s.GrainTypeHash = p_grain_type_hash
          AND  s.GrainIdN0 = p_grain_id_n0
          AND  s.GrainIdN1 = p_grain_id_n1
          AND  s.GrainTypeString = p_grain_type
          AND  ((p_grain_id_ext IS NULL AND s.GrainIdExtensionString IS NULL)
                OR s.GrainIdExtensionString = p_grain_id_ext)
          AND  s.ServiceId = p_service_id
          AND  s.Version = p_version
        RETURNING s.Version INTO new_version;
    END IF;

    RETURN QUERY SELECT new_version;
END
$fn$;

INSERT INTO OrleansQuery (QueryKey, QueryText)
VALUES
(
    'WriteToStorageKey', $q$
    SELECT NewGrainStateVersion FROM ledger_orleans_write_state(
        @GrainIdHash,
        @GrainIdN0,
        @GrainIdN1,
        @GrainTypeHash,
        @GrainTypeString,
        @GrainIdExtensionString,
        @ServiceId,
        @GrainStateVersion,
        @PayloadBinary
    );
$q$
),
(
    'ReadFromStorageKey', $q$
    SELECT
        PayloadBinary,
        Version
    FROM
        OrleansStorage
    WHERE
        GrainIdHash = @GrainIdHash AND @GrainIdHash IS NOT NULL
        AND GrainTypeHash = @GrainTypeHash AND @GrainTypeHash IS NOT NULL
        AND GrainIdN0 = @GrainIdN0 AND @GrainIdN0 IS NOT NULL
        AND GrainIdN1 = @GrainIdN1 AND @GrainIdN1 IS NOT NULL
        AND GrainTypeString = @GrainTypeString AND @GrainTypeString IS NOT NULL
        AND ((@GrainIdExtensionString IS NULL AND GrainIdExtensionString IS NULL)
             OR GrainIdExtensionString = @GrainIdExtensionString)
        AND ServiceId = @ServiceId AND @ServiceId IS NOT NULL;
$q$
),
(
    'ClearStorageKey', $q$
    -- Keeps the row as a tombstone so the version keeps increasing.
    UPDATE OrleansStorage
    SET
        PayloadBinary = NULL,
        ModifiedOn = now(),
        Version = Version + 1
    WHERE
        GrainIdHash = @GrainIdHash AND @GrainIdHash IS NOT NULL
        AND GrainTypeHash = @GrainTypeHash AND @GrainTypeHash IS NOT NULL
        AND GrainIdN0 = @GrainIdN0 AND @GrainIdN0 IS NOT NULL
        AND GrainIdN1 = @GrainIdN1 AND @GrainIdN1 IS NOT NULL
        AND GrainTypeString = @GrainTypeString AND @GrainTypeString IS NOT NULL
        AND ((@GrainIdExtensionString IS NULL AND GrainIdExtensionString IS NULL)
             OR GrainIdExtensionString = @GrainIdExtensionString)
        AND ServiceId = @ServiceId AND @ServiceId IS NOT NULL
        AND Version = @GrainStateVersion AND @GrainStateVersion IS NOT NULL
    RETURNING Version AS NewGrainStateVersion;
$q$
),
(
    'DeleteStorageKey', $q$
    -- Used only with DeleteStateOnClear = true. Must return a value different from the ETag sent.
    DELETE FROM OrleansStorage
    WHERE
        GrainIdHash = @GrainIdHash AND @GrainIdHash IS NOT NULL
        AND GrainTypeHash = @GrainTypeHash AND @GrainTypeHash IS NOT NULL
        AND GrainIdN0 = @GrainIdN0 AND @GrainIdN0 IS NOT NULL
        AND GrainIdN1 = @GrainIdN1 AND @GrainIdN1 IS NOT NULL
        AND GrainTypeString = @GrainTypeString AND @GrainTypeString IS NOT NULL
        AND ((@GrainIdExtensionString IS NULL AND GrainIdExtensionString IS NULL)
             OR GrainIdExtensionString = @GrainIdExtensionString)
        AND ServiceId = @ServiceId AND @ServiceId IS NOT NULL
        AND Version = @GrainStateVersion AND @GrainStateVersion IS NOT NULL
    RETURNING Version + 1 AS NewGrainStateVersion;
$q$
)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
