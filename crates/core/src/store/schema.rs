//! The database schema, as an append-only list of migrations. Migration N (1-based) brings
//! `PRAGMA user_version` from N-1 to N. Never edit a released migration: add a new one.
//!
//! Everything is kept readable with the sqlite3 CLI: times are RFC 3339 UTC text, outcomes,
//! triggers and states are words. There is no column for a secret, by design.

pub(super) const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7];

const V1: &str = r#"
-- One row per named connection (a company). Non-secret settings only.
CREATE TABLE connections (
    name               TEXT NOT NULL PRIMARY KEY,
    name_key           TEXT NOT NULL UNIQUE,          -- lowercased name: "Acme" and "ACME" collide
    namely_permalink   TEXT NOT NULL,
    namely_url         TEXT,
    icims_customer_id  TEXT NOT NULL,
    icims_username     TEXT NOT NULL,
    icims_region       TEXT NOT NULL CHECK (icims_region IN ('us', 'eu')),
    icims_url          TEXT,
    hired_statuses     TEXT NOT NULL,                 -- JSON array of status names
    schedule           TEXT NOT NULL,                 -- off | every:2h | daily@07:00
    icims_field_name   TEXT,
    owner_profile_id   TEXT,
    sandbox            INTEGER NOT NULL CHECK (sandbox IN (0, 1)),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    namely_company_name TEXT                          -- as Namely reported it at sign-in
) STRICT;

-- Latest result of each setup step, so the wizard resumes at the first unfinished one.
CREATE TABLE setup_checks (
    connection  TEXT NOT NULL REFERENCES connections(name) ON DELETE CASCADE ON UPDATE CASCADE,
    step        TEXT NOT NULL,
    passed      INTEGER NOT NULL CHECK (passed IN (0, 1)),
    message     TEXT NOT NULL,
    checked_at  TEXT NOT NULL,
    PRIMARY KEY (connection, step)
) STRICT;

-- When each secret was saved in the keychain. Never the value.
CREATE TABLE secret_meta (
    connection  TEXT NOT NULL REFERENCES connections(name) ON DELETE CASCADE ON UPDATE CASCADE,
    kind        TEXT NOT NULL,
    saved_at    TEXT NOT NULL,
    PRIMARY KEY (connection, kind)
) STRICT;

-- Namely users who signed in for this company: candidates for integration owner.
CREATE TABLE owner_candidates (
    connection   TEXT NOT NULL REFERENCES connections(name) ON DELETE CASCADE ON UPDATE CASCADE,
    profile_id   TEXT NOT NULL,
    full_name    TEXT NOT NULL,
    email        TEXT,
    access_role  TEXT,
    user_status  TEXT NOT NULL,
    verified_at  TEXT NOT NULL,
    PRIMARY KEY (connection, profile_id)
) STRICT;

-- Sync runs. History: no foreign key to connections, so it can outlive one.
CREATE TABLE runs (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    connection               TEXT NOT NULL,
    triggered_by             TEXT NOT NULL,         -- manual | schedule | cli | retry
    dry_run                  INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
    started_at               TEXT NOT NULL,
    ended_at                 TEXT,
    status                   TEXT NOT NULL DEFAULT 'running',
    read_count               INTEGER NOT NULL DEFAULT 0,
    created_count            INTEGER NOT NULL DEFAULT 0,
    would_create_count       INTEGER NOT NULL DEFAULT 0,
    already_in_namely_count  INTEGER NOT NULL DEFAULT 0,
    needs_review_count       INTEGER NOT NULL DEFAULT 0,
    invalid_count            INTEGER NOT NULL DEFAULT 0,
    failed_count             INTEGER NOT NULL DEFAULT 0,
    icims_calls              INTEGER NOT NULL DEFAULT 0,
    namely_calls             INTEGER NOT NULL DEFAULT 0,
    error                    TEXT
) STRICT;
CREATE INDEX runs_by_connection ON runs (connection, id);
CREATE INDEX runs_running ON runs (status) WHERE status = 'running';

-- One row per hire handled by a run: what happened and why.
CREATE TABLE records (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id             INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    person_id          INTEGER NOT NULL,
    workflow_ids       TEXT NOT NULL,              -- space-separated, ascending
    name               TEXT NOT NULL,
    email              TEXT,
    outcome            TEXT NOT NULL,              -- created | would_create | already_in_namely | ...
    reason             TEXT NOT NULL,
    namely_profile_id  TEXT,
    detail             TEXT,
    at                 TEXT NOT NULL
) STRICT;
CREATE INDEX records_by_run ON records (run_id, id);
CREATE INDEX records_by_person ON records (person_id, id);

-- Written before each Namely create (POST is not idempotent). pending: about to POST;
-- unknown: the POST may or may not have created a profile; done: created; failed: certainly
-- not created. A pending or unknown intent must be looked up in Namely before creating again.
CREATE TABLE intents (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    connection         TEXT NOT NULL REFERENCES connections(name) ON DELETE CASCADE ON UPDATE CASCADE,
    person_id          INTEGER NOT NULL,
    run_id             INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    email              TEXT NOT NULL,
    state              TEXT NOT NULL CHECK (state IN ('pending', 'unknown', 'done', 'failed')),
    started_at         TEXT NOT NULL,
    ended_at           TEXT,
    namely_profile_id  TEXT
) STRICT;
CREATE UNIQUE INDEX intents_one_open_per_person
    ON intents (connection, person_id) WHERE state IN ('pending', 'unknown');

-- What we know of Namely profiles: icims_id -> profile and email -> profile.
CREATE TABLE namely_index (
    connection          TEXT NOT NULL REFERENCES connections(name) ON DELETE CASCADE ON UPDATE CASCADE,
    profile_id          TEXT NOT NULL,
    icims_id            TEXT,
    email               TEXT,
    personal_email      TEXT,
    full_name           TEXT NOT NULL,
    user_status         TEXT NOT NULL,
    icims_id_key        TEXT,                      -- trimmed icims_id
    email_key           TEXT,                      -- trimmed, lowercased
    personal_email_key  TEXT,
    PRIMARY KEY (connection, profile_id)
) STRICT;
CREATE INDEX namely_index_by_icims_id ON namely_index (connection, icims_id_key);
CREATE INDEX namely_index_by_email ON namely_index (connection, email_key);
CREATE INDEX namely_index_by_personal_email ON namely_index (connection, personal_email_key);

CREATE TABLE namely_index_meta (
    connection     TEXT NOT NULL PRIMARY KEY REFERENCES connections(name) ON DELETE CASCADE ON UPDATE CASCADE,
    refreshed_at   TEXT NOT NULL,
    profile_count  INTEGER NOT NULL,
    full           INTEGER NOT NULL CHECK (full IN (0, 1))
) STRICT;

-- iCIMS hires updated since this time are read on the next run.
CREATE TABLE watermarks (
    connection   TEXT NOT NULL PRIMARY KEY REFERENCES connections(name) ON DELETE CASCADE ON UPDATE CASCADE,
    hired_since  TEXT NOT NULL
) STRICT;

-- iCIMS calls spent per UTC day (the daily limit resets at midnight UTC).
CREATE TABLE icims_budget (
    connection   TEXT NOT NULL REFERENCES connections(name) ON DELETE CASCADE ON UPDATE CASCADE,
    day          TEXT NOT NULL,                    -- YYYY-MM-DD, UTC
    calls_spent  INTEGER NOT NULL,
    remaining    INTEGER,
    daily_limit  INTEGER,
    PRIMARY KEY (connection, day)
) STRICT;
"#;

const V2: &str = r#"
-- When the last full listing of Namely's profiles was made (refreshed_at now also moves with
-- every incremental refresh). Until version 2 every complete refresh was a full listing.
ALTER TABLE namely_index_meta ADD COLUMN listed_at TEXT;
UPDATE namely_index_meta SET listed_at = refreshed_at WHERE full = 1;
"#;

const V3: &str = r#"
-- Codes beside the words: what a setup check found (passed, field_missing, token_refused, …)
-- and why a run failed (icims_credentials, namely_unavailable, …). The command line and the
-- interface branch on the codes; the messages stay for people. Rows written before version 3
-- have no code.
ALTER TABLE setup_checks ADD COLUMN code TEXT;
ALTER TABLE runs ADD COLUMN error_code TEXT;
"#;

const V4: &str = r#"
-- Only the right people (issue 8).
-- The start-from date: hires who started (else were hired) before it are never created.
-- NULL on rows of version 3: 30 days before the connection was added.
ALTER TABLE connections ADD COLUMN start_from TEXT;
-- Namely did not report the owner's access role, so a person confirmed it: who and when,
-- for which profile (a confirmation is void once another owner is chosen).
ALTER TABLE connections ADD COLUMN owner_role_confirmed_for TEXT;
ALTER TABLE connections ADD COLUMN owner_role_confirmed_by TEXT;
ALTER TABLE connections ADD COLUMN owner_role_confirmed_at TEXT;
-- The Namely profile whose token is saved (GET /profiles/me at the last sign-in).
ALTER TABLE connections ADD COLUMN signed_in_profile_id TEXT;
-- Why the next run reads again from the start-from date (statuses, customer or date changed).
ALTER TABLE connections ADD COLUMN read_again_reason TEXT;
-- Hired statuses that matched no workflow in the last complete read from the start-from date.
ALTER TABLE connections ADD COLUMN unmatched_statuses TEXT;
-- A record's start date (else hire date), yyyy-mm-dd, and whether its failure will not fix
-- itself (a 422 on required data): those are read again after a back-off, not every run.
ALTER TABLE records ADD COLUMN start_date TEXT;
ALTER TABLE records ADD COLUMN permanent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN left_out_count INTEGER NOT NULL DEFAULT 0;
-- What a possible match needs: the profile's names and start date.
ALTER TABLE namely_index ADD COLUMN first_name TEXT;
ALTER TABLE namely_index ADD COLUMN last_name TEXT;
ALTER TABLE namely_index ADD COLUMN start_date TEXT;
"#;

const V5: &str = r#"
-- Exactly once under faults (issue 9).
-- Where reading a date window stopped (the iCIMS daily budget ran out, iCIMS failed): the
-- next run goes on after this workflow id instead of starting the window again. Forgotten
-- once the window is read to its end (the watermark then moves to window_started_at) or when
-- the next run must read again from the start-from date.
CREATE TABLE read_positions (
    connection          TEXT NOT NULL PRIMARY KEY REFERENCES connections(name) ON DELETE CASCADE ON UPDATE CASCADE,
    window_since        TEXT,                      -- NULL: the window has no lower bound
    window_started_at   TEXT NOT NULL,             -- iCIMS's clock when the window's search began
    after_workflow      INTEGER NOT NULL,          -- every workflow up to this id was handled
    saved_at            TEXT NOT NULL
) STRICT;
-- Records of runs up to this id no longer tell which workflows are settled (the watermark was
-- forgotten: another iCIMS customer, a sandbox started afresh). NULL: every record counts.
ALTER TABLE connections ADD COLUMN settled_after_run INTEGER;
"#;

const V6: &str = r#"
-- At the vendors' limits (issue 10): iCIMS reads a connection keeps in flight at once.
-- NULL: the app's default (icims::assumptions::READ_CONCURRENCY).
ALTER TABLE connections ADD COLUMN icims_concurrency INTEGER;
"#;

const V7: &str = r#"
-- Sign in with Namely (issue 13): the client id of the application registered in Namely and
-- the port of the redirect URI registered with it. NULL: the connection uses a personal
-- access token. The client secret and the refresh token live in the keychain, never here.
ALTER TABLE connections ADD COLUMN namely_oauth_client_id TEXT;
ALTER TABLE connections ADD COLUMN namely_oauth_port INTEGER;
"#;
