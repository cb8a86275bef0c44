-- The administration store: accounts, sessions, audit log, uploads and drafts.
-- Unlike the immutable builds it is mutable, opened read-write by the server process
-- only. Published data does not live here: publishing writes the dataset to
-- <data-dir>/published/ and rebuilds, so the public portal only ever reads builds.

CREATE TABLE IF NOT EXISTS users (
  username      VARCHAR PRIMARY KEY,
  display_name  VARCHAR NOT NULL,
  role          VARCHAR NOT NULL CHECK (role IN ('admin', 'statisticien')),
  -- scrypt$N$r$p$salt(base64)$hash(base64)
  password_hash VARCHAR NOT NULL,
  created_at    TIMESTAMP NOT NULL,
  disabled      BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE IF NOT EXISTS sessions (
  -- SHA-256 of the cookie's token: a stolen copy of this table opens no session.
  token_hash   VARCHAR PRIMARY KEY,
  username     VARCHAR NOT NULL,
  csrf_token   VARCHAR NOT NULL,
  created_at   TIMESTAMP NOT NULL,
  last_seen_at TIMESTAMP NOT NULL,
  expires_at   TIMESTAMP NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS audit_seq START 1;
CREATE TABLE IF NOT EXISTS audit_log (
  id       BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'),
  at_time  TIMESTAMP NOT NULL,
  username VARCHAR,
  -- connexion, connexion_refusee, deconnexion, compte_cree, compte_desactive, compte_reactive, mot_de_passe_change,
  -- depot, brouillon, apercu, publication, depublication, zonage_cree, zonage_publie, zonage_depublie
  action   VARCHAR NOT NULL,
  target   VARCHAR,
  details  VARCHAR
);

-- An uploaded partner file and what the statistician said about it.
CREATE TABLE IF NOT EXISTS uploads (
  id          VARCHAR PRIMARY KEY,
  filename    VARCHAR NOT NULL,
  bytes       BIGINT NOT NULL,
  sha256      VARCHAR NOT NULL,
  format      VARCHAR NOT NULL,
  uploaded_by VARCHAR NOT NULL,
  uploaded_at TIMESTAMP NOT NULL,
  -- JSON: reading options (encoding, separator, decimal mark, header row, sheet)
  options     VARCHAR NOT NULL,
  -- JSON: column mapping (code column, level, year, value columns → variables)
  mapping     VARCHAR,
  -- JSON: the last validation report
  report      VARCHAR
);

-- One indicator vintage as a draft, then published, then possibly unpublished.
CREATE TABLE IF NOT EXISTS indicator_drafts (
  id           VARCHAR PRIMARY KEY,
  indicator_id VARCHAR NOT NULL,
  year         INTEGER NOT NULL,
  upload_id    VARCHAR NOT NULL,
  -- JSON: the indicator's description (label, theme, unit, kind, source, licence, secrecy…)
  metadata     VARCHAR NOT NULL,
  state        VARCHAR NOT NULL CHECK (state IN ('brouillon', 'publie', 'depublie')),
  created_by   VARCHAR NOT NULL,
  created_at   TIMESTAMP NOT NULL,
  updated_at   TIMESTAMP NOT NULL,
  published_by VARCHAR,
  published_at TIMESTAMP
);

-- A zoning defined by a statistician (groups of communes), as a draft or published.
CREATE TABLE IF NOT EXISTS zoning_drafts (
  id          VARCHAR PRIMARY KEY,
  label       VARCHAR NOT NULL,
  description VARCHAR NOT NULL,
  example     BOOLEAN NOT NULL,
  -- JSON: [{commune, group, groupName}]
  members     VARCHAR NOT NULL,
  state       VARCHAR NOT NULL CHECK (state IN ('brouillon', 'publie', 'depublie')),
  created_by  VARCHAR NOT NULL,
  created_at  TIMESTAMP NOT NULL,
  updated_at  TIMESTAMP NOT NULL
);
