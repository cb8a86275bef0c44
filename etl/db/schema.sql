-- Schema of one immutable build (data/builds/<build-id>.duckdb).
-- Documented in README.md § « Schéma de la base »; keep both in step.

CREATE TABLE build_info (
  key   VARCHAR PRIMARY KEY,      -- build_id, created_at, cog_vintage, scope_regions, focus_departements, profile, values_by_series, etl_version
  value VARCHAR NOT NULL
);

CREATE TABLE sources (
  id            VARCHAR PRIMARY KEY,
  label         VARCHAR NOT NULL,
  producer      VARCHAR NOT NULL,
  licence       VARCHAR NOT NULL,
  vintage       VARCHAR NOT NULL,
  url           VARCHAR NOT NULL,   -- producer's official URL
  format        VARCHAR NOT NULL,
  origin        VARCHAR NOT NULL,   -- 'mirror' | 'cache' | 'package'
  file          VARCHAR NOT NULL,   -- path read (mirror-relative or cache-relative)
  sha256        VARCHAR NOT NULL,
  bytes         BIGINT NOT NULL,
  rows_read     INTEGER NOT NULL,   -- data records read
  items_loaded  INTEGER NOT NULL,   -- raw values or features kept
  geo_vintage   INTEGER,            -- COG year of the producer's codes
  coverage      VARCHAR[],          -- départements covered completely, NULL = France
  loaded_at     TIMESTAMP NOT NULL
);

-- Levels of the territorial hierarchy, then one row per published zoning.
CREATE TABLE levels (
  id           VARCHAR PRIMARY KEY, -- iris | commune | ept | epci | departement | region | pays | <zoning id>
  label        VARCHAR NOT NULL,    -- « Commune », « Bassin (exemple) »
  label_plural VARCHAR NOT NULL,
  rank         INTEGER NOT NULL,    -- 0 = iris (finest), dense over the levels present: region 4 (département profile), pays 6 (national); zonings 2
  kind         VARCHAR NOT NULL,    -- 'admin' | 'zoning'
  min_zoom     INTEGER NOT NULL,    -- tile zoom range advertised for the layer
  max_zoom     INTEGER NOT NULL
);

CREATE TABLE territories (
  level       VARCHAR NOT NULL,
  code        VARCHAR NOT NULL,     -- INSEE code; EPT by SIREN; zoning groups by their own code
  name        VARCHAR NOT NULL,
  search_name VARCHAR NOT NULL,     -- lower case, no accents, hyphens→spaces: « saint denis »
  postcodes   VARCHAR[] NOT NULL,
  -- the admin ancestors, NULL where not applicable (Paris has no EPT)
  commune     VARCHAR,
  ept         VARCHAR,
  departement VARCHAR,
  region      VARCHAR,
  in_focus    BOOLEAN NOT NULL,     -- Seine-Saint-Denis and Paris: shown by default on maps
  has_geometry BOOLEAN NOT NULL,
  area_km2    DOUBLE,               -- geodesic area of the full-resolution geometry
  minx DOUBLE, miny DOUBLE, maxx DOUBLE, maxy DOUBLE,  -- WGS84 bbox
  lon DOUBLE, lat DOUBLE,           -- a point inside the territory (label anchor)
  former_codes VARCHAR[] NOT NULL,  -- codes of older COG merged into this one (93059 → 93066)
  PRIMARY KEY (level, code)
);

-- Every ancestor of a territory, admin and zoning alike (iris → commune, ept, departement, region, bassin…).
CREATE TABLE territory_parents (
  level        VARCHAR NOT NULL,
  code         VARCHAR NOT NULL,
  parent_level VARCHAR NOT NULL,
  parent_code  VARCHAR NOT NULL,
  PRIMARY KEY (level, code, parent_level)
);

-- Geometries simplified per zoom band (topology-preserving: neighbours share their borders).
CREATE TABLE territory_geoms (
  level    VARCHAR NOT NULL,
  code     VARCHAR NOT NULL,
  band     SMALLINT NOT NULL,       -- 0 coarsest … n full resolution
  min_zoom SMALLINT NOT NULL,
  max_zoom SMALLINT NOT NULL,       -- inclusive
  geojson  VARCHAR NOT NULL,        -- GeoJSON Polygon/MultiPolygon, WGS84, RFC 7946 winding
  minx DOUBLE NOT NULL, miny DOUBLE NOT NULL, maxx DOUBLE NOT NULL, maxy DOUBLE NOT NULL,
  PRIMARY KEY (level, code, band)
);

-- Extra map layers that are not statistical territories (QPV…).
CREATE TABLE overlay_features (
  layer   VARCHAR NOT NULL,         -- 'qpv'
  code    VARCHAR NOT NULL,
  name    VARCHAR NOT NULL,
  band    SMALLINT NOT NULL,
  min_zoom SMALLINT NOT NULL,
  max_zoom SMALLINT NOT NULL,
  geojson VARCHAR NOT NULL,
  props   JSON NOT NULL,
  minx DOUBLE NOT NULL, miny DOUBLE NOT NULL, maxx DOUBLE NOT NULL, maxy DOUBLE NOT NULL,
  PRIMARY KEY (layer, code, band)
);

CREATE TABLE zonings (
  id          VARCHAR PRIMARY KEY,  -- also a level id
  label       VARCHAR NOT NULL,
  description VARCHAR NOT NULL,
  example     BOOLEAN NOT NULL,     -- demo data, not an official partition
  published   BOOLEAN NOT NULL,
  file        VARCHAR NOT NULL
);

CREATE TABLE zoning_members (
  zoning_id    VARCHAR NOT NULL,
  group_code   VARCHAR NOT NULL,
  group_name   VARCHAR NOT NULL,
  commune_code VARCHAR NOT NULL,
  PRIMARY KEY (zoning_id, commune_code)
);

-- Producers' cells, as published, with the code converted to the current COG.
CREATE TABLE raw_values (
  source_id      VARCHAR NOT NULL,
  variable       VARCHAR NOT NULL,
  level          VARCHAR NOT NULL,  -- 'iris' | 'commune'
  code           VARCHAR NOT NULL,  -- current COG (IRIS keep their code)
  published_code VARCHAR NOT NULL,  -- as in the file (93059…)
  commune        VARCHAR NOT NULL,  -- current commune of the unit
  value          DOUBLE,
  status         VARCHAR NOT NULL,  -- ok | secret | missing
  marker         VARCHAR,
  line           INTEGER NOT NULL
);

CREATE TABLE indicators (
  id          VARCHAR PRIMARY KEY,
  label       VARCHAR NOT NULL,
  short_label VARCHAR NOT NULL,
  description VARCHAR NOT NULL,
  theme       VARCHAR NOT NULL,
  unit        VARCHAR NOT NULL,
  kind        VARCHAR NOT NULL,     -- count | ratio | median | mean | rate
  scale       DOUBLE NOT NULL,
  decimals    INTEGER NOT NULL,
  secrecy_threshold DOUBLE NOT NULL,
  secrecy_on  VARCHAR NOT NULL,
  secrecy_reason VARCHAR NOT NULL,
  definition  JSON NOT NULL         -- the YAML definition as loaded
);

CREATE TABLE indicator_series (
  indicator_id    VARCHAR NOT NULL,
  year            INTEGER NOT NULL,
  source_id       VARCHAR NOT NULL,
  value_var       VARCHAR,
  numerator_var   VARCHAR,
  denominator_var VARCHAR,
  base_level      VARCHAR NOT NULL, -- 'iris' | 'commune': where the producer published it
  levels          VARCHAR[] NOT NULL, -- levels where values exist
  PRIMARY KEY (indicator_id, year)
);

CREATE TABLE indicator_values (
  indicator_id  VARCHAR NOT NULL,
  year          INTEGER NOT NULL,
  level         VARCHAR NOT NULL,
  code          VARCHAR NOT NULL,
  value         DOUBLE,             -- NULL when secret, missing or not-aggregable
  numerator     DOUBLE,
  denominator   DOUBLE,
  status        VARCHAR NOT NULL,   -- ok | secret | partial | missing | not-aggregable
  secret_parts  INTEGER NOT NULL,
  missing_parts INTEGER NOT NULL,
  parts         INTEGER NOT NULL,
  provenance    VARCHAR NOT NULL    -- French sentence: source, conversion, coverage
  -- Unique on (indicator_id, year, level, code): checked by the build's validation rather
  -- than by an index, which would triple the time of the bulk insert.
);

-- The same rows as indicator_values, in series order (indicator, year, level, code). DuckDB
-- skips row groups by their min/max only, so one order cannot serve both reads of a national
-- build (6 M values): a whole level of one indicator (maps, downloads) is read here, one
-- territory's values (portraits, groups) from indicator_values. Filled at the end of the
-- build; `build_info.values_by_series = 'true'` says it is (older builds read the other table).
CREATE TABLE indicator_values_by_series (
  indicator_id  VARCHAR NOT NULL,
  year          INTEGER NOT NULL,
  level         VARCHAR NOT NULL,
  code          VARCHAR NOT NULL,
  value         DOUBLE,
  numerator     DOUBLE,
  denominator   DOUBLE,
  status        VARCHAR NOT NULL,
  secret_parts  INTEGER NOT NULL,
  missing_parts INTEGER NOT NULL,
  parts         INTEGER NOT NULL,
  provenance    VARCHAR NOT NULL
);

-- Secondary secrecy (etl/engine/secondary.ts): protective blocks of masked units that span
-- several communes. Their totals are already inside every published aggregate that holds
-- all their communes; the server reads them only to give an ad-hoc group of communes the
-- same value as the ETL would. Never served. Blocks inside one commune are part of that
-- commune's value and are not listed.
CREATE TABLE secrecy_blocks (
  indicator_id VARCHAR NOT NULL,
  year         INTEGER NOT NULL,
  block        VARCHAR NOT NULL,
  level        VARCHAR NOT NULL,     -- ept | departement: where the block was formed
  group_code   VARCHAR NOT NULL,
  communes     VARCHAR[] NOT NULL,   -- an aggregate includes the block iff it holds all of them
  units        INTEGER NOT NULL,
  sum          DOUBLE NOT NULL,
  denominator  DOUBLE NOT NULL
);

CREATE TABLE load_report (
  source_id VARCHAR NOT NULL,
  severity  VARCHAR NOT NULL,       -- 'info' | 'warning'
  file      VARCHAR NOT NULL,
  line      INTEGER,
  col       VARCHAR,
  message   VARCHAR NOT NULL
);
