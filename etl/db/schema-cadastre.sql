-- Cadastre and DVF tables of one build, created by etl/cadastre/index.ts (loadCadastre)
-- after the main schema. Geometries are GeoJSON text in WGS84 (RFC 7946 winding), as
-- in territory_geoms; the bbox columns serve tile queries (WHERE maxx >= … AND minx <= …).
-- A feature whose geometry could not be used keeps its row with geojson and bbox NULL
-- (counted in cadastre_load_report): counts and DVF joins rely on every parcel.

CREATE TABLE cadastre_parcels (
  commune    VARCHAR NOT NULL,      -- INSEE code as published (75118 for Paris 18e)
  vintage    VARCHAR NOT NULL,      -- millésime AAAA-MM-JJ (Etalab folder, or EDIGEO export date)
  id         VARCHAR NOT NULL,      -- national id, 14 characters: 930100000A0224
  prefixe    VARCHAR NOT NULL,      -- 3 characters, 000 unless the commune absorbed another
  section    VARCHAR NOT NULL,      -- 2 characters, as in the id (0A)
  numero     VARCHAR NOT NULL,      -- 4 characters, as in the id (0224)
  contenance INTEGER,               -- m², as published by the DGFiP; NULL when not published
  source     VARCHAR NOT NULL,      -- sources.id
  geojson    VARCHAR,
  minx DOUBLE, miny DOUBLE, maxx DOUBLE, maxy DOUBLE,
  PRIMARY KEY (commune, vintage, id)
);

CREATE TABLE cadastre_buildings (
  commune VARCHAR NOT NULL,
  vintage VARCHAR NOT NULL,
  id      VARCHAR NOT NULL,         -- <feuille>:<EDIGEO object id>; the PCI has no national building id
  type    VARCHAR,                  -- 'dur' | 'léger' (EDIGEO DUR 01 / 02); NULL if another code (reported)
  source  VARCHAR NOT NULL,
  geojson VARCHAR,
  minx DOUBLE, miny DOUBLE, maxx DOUBLE, maxy DOUBLE,
  PRIMARY KEY (commune, vintage, id)
);

CREATE TABLE cadastre_sections (
  commune VARCHAR NOT NULL,
  vintage VARCHAR NOT NULL,
  id      VARCHAR NOT NULL,         -- commune + préfixe + section, 10 characters: 130290000A
  prefixe VARCHAR NOT NULL,
  section VARCHAR NOT NULL,
  source  VARCHAR NOT NULL,
  geojson VARCHAR,
  minx DOUBLE, miny DOUBLE, maxx DOUBLE, maxy DOUBLE,
  PRIMARY KEY (commune, vintage, id)
);

CREATE TABLE cadastre_lieux_dits (
  commune VARCHAR NOT NULL,
  vintage VARCHAR NOT NULL,
  id      VARCHAR NOT NULL,         -- <feuille>:<EDIGEO object id>
  name    VARCHAR NOT NULL,         -- EDIGEO TEX, as written by the DGFiP (upper case)
  source  VARCHAR NOT NULL,
  geojson VARCHAR,
  minx DOUBLE, miny DOUBLE, maxx DOUBLE, maxy DOUBLE,
  PRIMARY KEY (commune, vintage, id)
);

-- Changes between two consecutive millésimes of a commune (etl/cadastre/history.ts).
-- created / deleted: one row per id present only in the newer / older millésime, so
--   count(created) − count(deleted) = parcels(to_vintage) − parcels(from_vintage);
-- geometry: same id, shape changed (intersection over union < 0.99);
-- merged: row on the new parcel, related_ids = the ≥ 2 old parcels it took most of;
-- split: row on the old parcel, related_ids = the ≥ 2 new parcels lying mostly inside it.
-- related_ids of created / deleted rows: the parcels of the other millésime they overlap.
CREATE TABLE cadastre_history (
  commune      VARCHAR NOT NULL,
  from_vintage VARCHAR NOT NULL,
  to_vintage   VARCHAR NOT NULL,
  id           VARCHAR NOT NULL,
  change       VARCHAR NOT NULL,    -- created | deleted | geometry | merged | split
  related_ids  VARCHAR[] NOT NULL,
  section      VARCHAR NOT NULL,    -- section of `id` (2 characters)
  PRIMARY KEY (commune, from_vintage, to_vintage, id, change)
);

-- One row per DVF mutation (sale), etl/sources/dvf/sales.ts. No address, no person:
-- only what the DGFiP publishes, the parcel ids locating the sale.
CREATE TABLE dvf_sales (
  id                  VARCHAR PRIMARY KEY, -- AAAA-<producer's line of its first line>; not stable across releases
  source              VARCHAR NOT NULL,
  commune             VARCHAR NOT NULL,    -- current COG
  published_commune   VARCHAR NOT NULL,    -- as in the file
  date                DATE NOT NULL,
  year                INTEGER NOT NULL,
  nature              VARCHAR NOT NULL,    -- Vente, Vente en l'état futur d'achèvement, Adjudication, Echange…
  valeur_fonciere     DOUBLE,              -- € for the whole mutation; NULL when not published
  code_postal         VARCHAR,
  parcel_ids          VARCHAR[] NOT NULL,  -- distinct 14-character ids of its lines
  parcels_found       INTEGER,             -- how many are in cadastre_parcels (any millésime); NULL when the commune has no cadastre loaded
  lines               INTEGER NOT NULL,    -- lines of the file it groups
  first_line          INTEGER NOT NULL,    -- 1-based line of the file
  nb_appartements     INTEGER NOT NULL,
  nb_maisons          INTEGER NOT NULL,
  nb_dependances      INTEGER NOT NULL,
  nb_locaux_activite  INTEGER NOT NULL,
  type_local          VARCHAR,             -- 'Maison' | 'Appartement' when it is the one main good
  surface_reelle_bati DOUBLE,              -- m² of that good
  nombre_pieces       INTEGER,
  surface_terrain     DOUBLE,              -- m², each parcel × nature de culture once
  price_m2            DOUBLE,              -- € / m², when price_status = 'calcule'
  price_status        VARCHAR NOT NULL     -- calcule | nature-exclue | sans-valeur | aucun-logement | plusieurs-biens | local-activite | sans-surface | prix-aberrant
);

-- What the cadastre/DVF load repaired, rejected or noticed, one row per event, plus
-- one 'info' row per source summarising its counts (kind 'resume').
CREATE TABLE cadastre_load_report (
  source_id  VARCHAR NOT NULL,
  severity   VARCHAR NOT NULL,        -- 'info' | 'warning'
  file       VARCHAR NOT NULL,        -- mirror-relative path (or <source>/<file> in the cache)
  line       INTEGER,                 -- GeoJSON: feature number; CSV: line
  col        VARCHAR,
  kind       VARCHAR NOT NULL,        -- resume | anneau-ferme | geometrie-inutilisable | geometrie-rejetee | auto-intersection-signalee | …
  feature_id VARCHAR,
  message    VARCHAR NOT NULL
);
