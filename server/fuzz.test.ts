/**
 * Fuzzing every route of server/README.md against the build the global setup makes, with
 * the back office on as in production: 10 000 seeded random and malformed requests (levels,
 * codes, years, huge numbers, unicode, percent-encoding, path traversal in every path
 * parameter, SQL fragments, long strings, odd methods, bodies and content types), about a
 * quarter of them to `/api/admin/*` — anonymous, with a forged cookie, or with a logged-in
 * statistician's session (with and without its CSRF token), random bodies and uploads of
 * random bytes — and to `/api/portraits/groupe`. Whatever the request, the server never
 * throws, never answers 5xx, answers every error with `{error: {code, message}}` in French,
 * refuses random bytes as an upload (400/413), never leaks a file's content, and opens no
 * file outside the app and its data dir.
 */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { memoryLogger } from '../etl/core/logger.ts';
import { repoRoot } from '../etl/core/paths.ts';
import { testDbPath } from '../etl/testing/test-db.ts';
import type { BuildRunner } from './admin/publishing/build-jobs.ts';
import { createPublishing } from './admin/publishing/context.ts';
import { type AdminStore, openAdminStore } from './admin/store.ts';
import { createUser } from './admin/users.ts';
import { type ObservatoireApp, createApp } from './app.ts';
import { type Db, openDb } from './db.ts';
import { type FileReads, recordFileReads } from './testing/file-reads.ts';

const withGlobalSetup = Boolean(inject('testDataDir'));

const RUNS_PER_BLOCK = 2500;
const BLOCKS = 4;

// ---------------------------------------------------------------------------
// Pieces of requests

const NASTY = [
  '', ' ', '%', '%%', '%zz', '%E0%A4%A', '%00', '%0a', '%0d%0a', '%ff', '%c0%ae', '\u0000', 'a\u0000b',
  '..', '../', '../../../../etc/passwd', '..%2f..%2f..%2fetc%2fpasswd', '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '%2e%2e', '%252e%252e%252f', '..%5c..%5cwindows%5cwin.ini', '..\\..\\etc\\passwd', '/etc/passwd',
  '%2fetc%2fpasswd', 'file:///etc/passwd', 'C:\\Windows\\win.ini', '/proc/self/environ', '....//....//etc/passwd',
  "' OR 1=1--", "'; DROP TABLE territories; --", '1; DROP TABLE values', '" OR ""="', "1' UNION SELECT * FROM read_csv('/etc/passwd')--",
  "read_text('/etc/passwd')", '*', '%', '_', '\\', '"', "'", '`', '[]', '{}', '[object Object]', 'null', 'undefined', 'true',
  '1e309', '-1e309', '99999999999999999999', '-99999999999999999999', '9007199254740993', '0x10', '1e3', '-0', '0', '-1',
  'NaN', 'Infinity', '-Infinity', '1.5', '1,5', '2024.0', ' 2024', '2024 ', '+2024', '٢٠٢٤', '２０２４',
  '🦆', '👨‍👩‍👧‍👦', '🇫🇷', '\u202eevil', 'שלום', 'مرحبا', 'e\u0301\u0301\u0301', 'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǵ̗͚o', '\ud800', '\uffff', '\ufeff',
  'Île-de-France', 'saint denis', 'SAINT-DENIS', 'a'.repeat(300), 'é'.repeat(2000), 'x'.repeat(20_000),
  '<script>alert(1)</script>', '${7*7}', '{{7*7}}', '\r\nSet-Cookie: a=b', 'commune:93066', 'ept:', ':', 'commune:',
  '0000-00-00', '2021-02-30', '9999-99-99', '2021-04-13T00:00', '-1-1-1'
];

const LEVELS = ['iris', 'commune', 'ept', 'bassins-exemple', 'departement', 'region', 'qpv'];
const CODES = ['93066', '93010', '93', '11', '75', '75056', '75118', '13029', '930660101', '200057875', '93300', '2A004', '97101'];
const INDICATORS = ['population', 'deces-domicilies', 'deces-2016-2021', 'logements-vacants'];
const YEARS = ['2015', '2016', '2020', '2021', '2022', '2023', '2024', '2025', '1900', '3000'];
const TILE_LAYERS = ['commune', 'iris', 'ept', 'departement', 'region', 'qpv', 'bassins-exemple'];
const CADASTRE_LAYERS = ['parcelles', 'batiments', 'sections', 'lieux-dits'];
const VINTAGES = ['2014-03-17', '2016-10-22', '2021-04-13', '2022-01-01', '2024-01-01', '2025-01-01'];
const FORMATS = ['json', 'csv', 'xlsx', 'geojson', 'gpkg', 'pdf', 'CSV', '../csv', 'csv%00', ''];
const PARCELS = ['930100000A0224', '931010000A0001', '131290000A0001', '93010A224'];

const junk: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...NASTY).map(encodeMaybe) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }).map((s) => encodeURIComponent(s)) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => encodeURIComponent(s)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map(safeEncode) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map(rawPiece) },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.bigInt()).map((n) => encodeURIComponent(String(n))) },
  { weight: 1, arbitrary: fc.constantFrom(...LEVELS, ...CODES, ...YEARS).map((s) => `${s}${'%2F..'.repeat(3)}`) }
);

/** A valid-looking piece most of the time, junk otherwise. */
function mix(valid: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: junk });
}

/** NASTY entries: those already percent-encoded go as written, the others are percent-encoded. */
function encodeMaybe(s: string): string {
  return /%[0-9a-fA-F]{2}/.test(s) ? s : safeEncode(s);
}

function safeEncode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    // Lone surrogates: encodeURIComponent refuses them, a raw %-escape of each code unit does not.
    return [...s].map((ch) => `%${(ch.charCodeAt(0) & 0xff).toString(16).padStart(2, '0')}`).join('');
  }
}

/** Text as a client might put it unencoded in an address, minus what ends a path ('?' and '#' are covered elsewhere). */
function rawPiece(s: string): string {
  return s.replace(/[?#/]/g, '');
}

const level = mix(LEVELS);
const code = mix(CODES);
const indicator = mix(INDICATORS);
const year = mix(YEARS);
const format = mix(FORMATS);
const tileLayer = mix(TILE_LAYERS);
const cadastreLayer = mix(CADASTRE_LAYERS);
const vintage = mix(VINTAGES);
const zxy = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 16 }), fc.integer({ min: 0, max: 70_000 }), fc.integer({ min: 0, max: 70_000 })).map(([z, x, y]) => [
    String(z),
    String(x % 2 ** z),
    String(y % 2 ** z)
  ]),
  fc.constant(['12', '2076', '1409']),
  fc.constant(['15', '16610', '11272']),
  fc.tuple(mix(['0', '12', '14']), mix(['0', '2076']), mix(['0', '1409']))
);
const pbf = (y: string) => fc.constantFrom(`${y}.pbf`, `${y}.pbf`, `${y}.mvt`, `${y}`, `${y}.pbf.gz`);

const query = (pairs: [string, string][]) => fc.subarray(pairs).map((ps) => (ps.length === 0 ? '' : `?${ps.map(([k, v]) => `${k}=${v}`).join('&')}`));

interface Req {
  method: string;
  path: string;
  body?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
  /** Random bytes uploaded with a valid session and CSRF token: must be refused with 400 or 413. */
  randomUpload?: boolean;
  /** Sent with the statistician's session and CSRF token. */
  withSession?: boolean;
}

/** Every route of server/README.md, with its parameters drawn from `mix`. */
function routes(build: string): fc.Arbitrary<string> {
  const buildId = mix([build, '20200101T000000Z-000000']);
  return fc.oneof(
    fc.constantFrom('/api/health', '/api/levels', '/api/indicators', '/api', '/api/openapi.json', '/api/cadastre', '/', '/tiles', '/api/'),
    fc.tuple(junk, level, fc.oneof(fc.constant('10'), junk)).chain(([q, l, n]) => query([['q', q], ['level', l], ['limit', n]]).map((s) => `/api/territories${s}`)),
    fc.tuple(level, code).map(([l, c]) => `/api/territories/${l}/${c}`),
    indicator.map((i) => `/api/indicators/${i}`),
    fc.tuple(indicator, level, year, fc.tuple(level, code).map(([l, c]) => `${l}:${c}`), format).chain(([i, l, y, w, f]) =>
      query([['level', l], ['year', y], ['within', w], ['format', f]]).map((s) => `/api/indicators/${i}/values${s}`)
    ),
    fc.tuple(level, code).map(([l, c]) => `/api/portraits/${l}/${c}`),
    fc
      .tuple(fc.array(code, { maxLength: 6 }).map((cs) => cs.join(',')), fc.oneof(fc.constant('Mon%20bassin'), junk))
      .chain(([cs, n]) => query([['communes', cs], ['nom', n]]).map((s) => `/api/portraits/groupe${s}`)),
    tileLayer.map((l) => `/tiles/${l}.json`),
    fc.tuple(buildId, tileLayer, zxy).chain(([b, l, [z, x, y]]) => pbf(y ?? '0').map((p) => `/tiles/${b}/${l}/${z}/${x}/${p}`)),
    fc.tuple(tileLayer, zxy).chain(([l, [z, x, y]]) => pbf(y ?? '0').map((p) => `/tiles/${l}/${z}/${x}/${p}`)),
    // Cadastre
    fc.tuple(mix(['930100000A0224', '93010 A 224', '93010A224']), mix(['93010', '75118']), mix(['A', '0A']), mix(['224', '0224']), mix(['000']), fc.oneof(fc.constant('50'), junk)).chain(
      ([q, c, s, n, p, l]) =>
        query([['q', q], ['commune', c], ['section', s], ['numero', n], ['prefixe', p], ['limit', l]]).map((qs) => `/api/cadastre/search${qs}`)
    ),
    code.map((c) => `/api/cadastre/${c}`),
    fc.tuple(code, mix([...PARCELS, ...CODES]), vintage).chain(([c, id, v]) => query([['vintage', v]]).map((qs) => `/api/cadastre/${c}/parcels/${id}${qs}`)),
    fc.tuple(code, vintage, vintage, format).chain(([c, a, b, f]) => query([['from', a], ['to', b], ['format', f]]).map((qs) => `/api/cadastre/${c}/history${qs}`)),
    fc.tuple(code, cadastreLayer, vintage, format).chain(([c, l, v, f]) => query([['vintage', v], ['format', f]]).map((qs) => `/api/cadastre/${c}/${l}${qs}`)),
    fc.tuple(cadastreLayer, vintage).chain(([l, v]) => query([['vintage', v]]).map((qs) => `/tiles/cadastre/${l}.json${qs}`)),
    fc.tuple(buildId, cadastreLayer, fc.option(vintage), zxy).chain(([b, l, v, [z, x, y]]) =>
      pbf(y ?? '0').map((p) => `/tiles/cadastre/${b}/${l}${v === null ? '' : `/${v}`}/${z}/${x}/${p}`)
    ),
    fc.tuple(cadastreLayer, fc.option(vintage), zxy, fc.option(vintage)).chain(([l, v, [z, x, y], qv]) =>
      pbf(y ?? '0').map((p) => `/tiles/cadastre/${l}${v === null ? '' : `/${v}`}/${z}/${x}/${p}${qv === null ? '' : `?vintage=${qv}`}`)
    ),
    // Anything at all under the two prefixes, and traversal straight after them.
    fc.tuple(fc.constantFrom('/api/', '/tiles/', '/api/cadastre/', '/tiles/cadastre/', '/'), fc.array(junk, { maxLength: 4 })).map(([p, s]) => p + s.join('/')),
    fc.tuple(fc.constantFrom('/api/', '/tiles/', '/'), fc.constantFrom(...NASTY.filter((n) => n.includes('passwd') || n.includes('..')))).map(
      ([p, n]) => p + n
    )
  );
}

const communes = fc.oneof(
  fc.array(mix(['93066', '93010', '93048', '93008', '75118', '13029']), { maxLength: 8 }),
  fc.array(fc.jsonValue(), { maxLength: 4 }),
  fc.constant(Array.from({ length: 5000 }, (_, i) => String(10_000 + i))),
  junk
);
const aggregateBody: fc.Arbitrary<{ body?: string; contentType?: string }> = fc.record(
  {
    body: fc.oneof(
      fc
        .tuple(fc.subarray(['93066', '93010', '93048', '93008', '93001'], { minLength: 1 }), fc.subarray(INDICATORS, { minLength: 1 }), fc.option(fc.constantFrom(2021, 2022, 2024)))
        .map(([c, i, y]) => JSON.stringify(y === null ? { communes: c, indicators: i } : { communes: c, indicators: i, year: y })),
      fc
        .record(
          { communes, indicators: fc.oneof(fc.array(indicator, { maxLength: 4 }), fc.jsonValue()), year: fc.oneof(fc.integer(), year, fc.jsonValue()) },
          { requiredKeys: [] }
        )
        .map((b) => JSON.stringify(b)),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.constantFrom('', '{', '{"communes":', '{"communes":["93066"],}', "{'communes':[]}", 'null', 'NaN', '1e309', '\u0000', '\ufeff{}',
        '{"communes":["93066"],"indicators":["population"],"year":1e309}', '{"communes":["93066"],"indicators":["population"],"year":99999999999999999999}',
        '{"__proto__":{"polluted":1},"communes":["93066"],"indicators":["population"]}', '{"constructor":{"prototype":{}}}',
        `{"communes":[${'"93066",'.repeat(50_000)}"93066"],"indicators":["population"]}`, 'x'.repeat(2_000_000)),
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 100 })
    ),
    contentType: fc.constantFrom(
      'application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz', 'multipart/form-data', 'application/xml', '', 'application/json; charset=latin1', '*/*', '\u00e9/\u00e9'
    )
  },
  { requiredKeys: [] }
);

// ---------------------------------------------------------------------------
// The back office

/** A statistician logged in through the login route, and one real upload of theirs. */
interface Session {
  token: string;
  csrf: string;
  uploadId: string;
}

const TRAVERSAL = NASTY.filter((n) => n.includes('..') || n.includes('passwd') || n.includes('win.ini'));
/** A path parameter: a plausible value, junk, or a traversal. */
const param = (valid: readonly string[]) =>
  fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...valid) }, { weight: 2, arbitrary: junk }, { weight: 2, arbitrary: fc.constantFrom(...TRAVERSAL).map(encodeMaybe) });

const headerJunk = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_=;.%/ '.split('')), maxLength: 60 });

const ROLES = ['statisticien', 'admin', 'root', ''];
const THEMES = ['population', 'logement', 'inconnu'];
const KINDS = ['count', 'ratio', 'median', 'x'];
const looseJson = fc.jsonValue({ maxDepth: 3 });
const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof(a, looseJson);

function adminBodies(session: Session): fc.Arbitrary<string> {
  const ids = [session.uploadId, 'depot-inexistant'];
  return fc.oneof(
    fc.record({ username: maybe(fc.constantFrom('stat', 'admin', 'inconnu')), password: maybe(fc.string({ maxLength: 40 })) }, { requiredKeys: [] }),
    fc.record({ current: maybe(fc.string({ maxLength: 30 })), next: maybe(fc.string({ maxLength: 300 })) }, { requiredKeys: [] }),
    fc.record(
      { username: maybe(fc.constantFrom('nouveau', 'Nouveau', '../x', 'a')), displayName: maybe(fc.string({ maxLength: 120 })), role: maybe(fc.constantFrom(...ROLES)), password: maybe(fc.string({ maxLength: 30 })) },
      { requiredKeys: [] }
    ),
    fc.record(
      { encoding: maybe(fc.constantFrom('utf-8', 'latin1', 'ebcdic')), separator: maybe(fc.constantFrom(';', ',', '\t', '|', '::')), decimal: maybe(fc.constantFrom(',', '.')), headerRow: maybe(fc.integer({ min: -5, max: 2000 })), sheet: maybe(fc.string({ maxLength: 120 })) },
      { requiredKeys: [] }
    ),
    fc.record(
      {
        mapping: maybe(
          fc.record(
            {
              codeColumn: maybe(fc.constantFrom('code', 'commune', '')),
              level: maybe(fc.constantFrom('commune', 'iris', 'region')),
              year: maybe(fc.integer({ min: 1800, max: 2200 })),
              yearColumn: maybe(fc.constantFrom('annee')),
              values: maybe(fc.array(fc.record({ column: maybe(fc.constantFrom('valeur', 'x')), variable: maybe(fc.constantFrom('VALEUR', '1x', 'a b')) }), { maxLength: 3 }))
            },
            { requiredKeys: [] }
          )
        ),
        threshold: maybe(fc.double()),
        indicatorId: maybe(fc.constantFrom('taux-essai', 'Taux', '../x')),
        corrections: maybe(fc.array(fc.record({ line: maybe(fc.integer()), column: maybe(fc.string({ maxLength: 10 })), value: maybe(fc.string({ maxLength: 10 })) }), { maxLength: 3 }))
      },
      { requiredKeys: [] }
    ),
    fc.record(
      {
        uploadId: maybe(fc.constantFrom(...ids)),
        description: maybe(
          fc.record(
            {
              indicatorId: maybe(fc.constantFrom('taux-essai', 'population-municipale', '../x')),
              label: maybe(fc.string({ maxLength: 40 })),
              theme: maybe(fc.constantFrom(...THEMES)),
              unit: maybe(fc.constantFrom('%', 'habitants')),
              kind: maybe(fc.constantFrom(...KINDS)),
              value: maybe(fc.constantFrom('VALEUR')),
              year: maybe(fc.integer({ min: 1800, max: 2200 })),
              source: maybe(fc.record({ label: fc.string({ maxLength: 20 }), producer: fc.string({ maxLength: 20 }), vintage: fc.string({ maxLength: 6 }), licence: fc.string({ maxLength: 10 }) })),
              secrecy: maybe(fc.record({ threshold: maybe(fc.double()) }))
            },
            { requiredKeys: [] }
          )
        )
      },
      { requiredKeys: [] }
    ),
    fc.record(
      {
        id: maybe(fc.constantFrom('zonage-essai', 'Zonage', '../../x', 'a')),
        label: maybe(fc.string({ maxLength: 120 })),
        example: maybe(fc.boolean()),
        members: maybe(
          fc.array(
            fc.record({ commune: maybe(fc.constantFrom('93010', '93048', '93059', '99999', '../..')), group: maybe(fc.constantFrom('a', 'b', '')), groupName: maybe(fc.string({ maxLength: 20 })) }),
            { maxLength: 5 }
          )
        )
      },
      { requiredKeys: [] }
    ),
    looseJson
  ).map((v) => JSON.stringify(v));
}

/** Every `/api/admin` route of server/admin/README.md and routes/admin-publishing.ts, parameters from `param`. */
function adminRoutes(session: Session): fc.Arbitrary<{ method: string; path: string; upload?: boolean }> {
  const ids = [session.uploadId, 'depot-inexistant', 'brouillon-inexistant'];
  const get = (path: fc.Arbitrary<string>) => path.map((p) => ({ method: 'GET', path: p }));
  const post = (path: fc.Arbitrary<string>) => path.map((p) => ({ method: 'POST', path: p }));
  return fc.oneof(
    get(fc.constantFrom('/api/admin/session', '/api/admin/users', '/api/admin/drafts', '/api/admin/jobs', '/api/admin/zonings', '/api/admin', '/api/admin/')),
    post(fc.constantFrom('/api/admin/session', '/api/admin/me/password', '/api/admin/users', '/api/admin/drafts', '/api/admin/zonings')),
    post(fc.tuple(param(['stat', 'admin', 'inconnu']), fc.constantFrom('disable', 'enable', 'password')).map(([u, a]) => `/api/admin/users/${u}/${a}`)),
    get(fc.tuple(junk, junk, param(['stat']), param(['connexion'])).chain(([l, o, u, a]) => query([['limit', l], ['offset', o], ['username', u], ['action', a]]).map((q) => `/api/admin/audit${q}`))),
    get(param(ids).map((id) => `/api/admin/uploads/${id}`)),
    post(fc.tuple(param(ids), fc.constantFrom('options', 'validation')).map(([id, a]) => `/api/admin/uploads/${id}/${a}`)),
    get(param(ids).map((id) => `/api/admin/drafts/${id}`)),
    post(fc.tuple(param(ids), fc.constantFrom('preview', 'publish')).map(([id, a]) => `/api/admin/drafts/${id}/${a}`)),
    post(fc.tuple(param(['population-municipale', 'taux-essai']), param(['2022', '1800', '99999'])).map(([i, y]) => `/api/admin/published/${i}/${y}/unpublish`)),
    get(param(['20261201T000000000Z-abcdef', 'inconnue']).map((id) => `/api/admin/jobs/${id}`)),
    get(param(['zonage-essai', 'bassins-exemple']).map((id) => `/api/admin/zonings/${id}`)),
    post(fc.tuple(param(['zonage-essai', 'bassins-exemple']), fc.constantFrom('publish', 'unpublish')).map(([id, a]) => `/api/admin/zonings/${id}/${a}`)),
    fc.tuple(fc.constantFrom('/api/admin/uploads', '/api/admin/zonings/csv'), fc.oneof(fc.constant('essai.csv'), param(['essai.csv', 'essai.xlsx']))).map(([p, f]) => ({
      method: 'POST',
      path: `${p}?filename=${f}`,
      upload: true
    })),
    fc.tuple(fc.constantFrom('/api/admin/', '/api/admin/uploads/', '/api/admin/drafts/', '/api/admin/zonings/'), fc.array(param(['a']), { maxLength: 3 })).map(([p, rest]) => ({ method: 'GET', path: p + rest.join('/') }))
  );
}

/** Bytes as a client might upload them: random, random but binary for sure, text, empty, too large. */
function uploadBodies(tooLarge: Uint8Array): fc.Arbitrary<{ body: Uint8Array; binary: boolean }> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 4000 }).map((b) => ({ body: b, binary: b.includes(0) })) },
    { weight: 3, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 4000 }).map((b) => ({ body: Uint8Array.from([0, ...b]), binary: true })) },
    { weight: 3, arbitrary: fc.string({ maxLength: 500 }).map((t) => ({ body: new TextEncoder().encode(t), binary: false })) },
    { weight: 1, arbitrary: fc.constant({ body: new TextEncoder().encode('commune;groupe;nom du groupe\n93010;a;Est\n../../etc/passwd;b;x\n'), binary: false }) },
    { weight: 1, arbitrary: fc.constant({ body: new Uint8Array(0), binary: false }) },
    { weight: 1, arbitrary: fc.constant({ body: tooLarge, binary: true }) }
  );
}

type Identity = 'anonyme' | 'cookie-bidon' | 'session' | 'session-sans-csrf';

function identityHeaders(identity: Identity, session: Session): fc.Arbitrary<Record<string, string>> {
  switch (identity) {
    case 'anonyme':
      return fc.constant({});
    case 'cookie-bidon':
      return fc.tuple(headerJunk, headerJunk).map(([t, c]) => ({ cookie: `obs_session=${t}; obs_csrf=${c}`, 'x-csrf-token': c }));
    case 'session':
      return fc.constant({ cookie: `obs_session=${session.token}`, 'x-csrf-token': session.csrf });
    case 'session-sans-csrf':
      return fc.option(headerJunk).map((c) => ({ cookie: `obs_session=${session.token}`, ...(c === null ? {} : { 'x-csrf-token': c }) }));
  }
}

function adminRequests(session: Session, tooLarge: Uint8Array): fc.Arbitrary<Req> {
  const identity = fc.constantFrom<Identity>('anonyme', 'cookie-bidon', 'session', 'session', 'session', 'session-sans-csrf');
  const contentType = fc.constantFrom('application/json', 'application/json', 'text/csv', 'application/octet-stream', 'multipart/form-data; boundary=x', '');
  return fc
    .tuple(identity, adminRoutes(session), adminBodies(session), uploadBodies(tooLarge), contentType, fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH') }))
    .chain(([who, route, json, upload, type, otherMethod]) =>
      identityHeaders(who, session).map((headers): Req => {
        // logging out would end the session the rest of the run relies on
        if (who.startsWith('session') && route.path.endsWith('/session/logout')) return { method: 'GET', path: '/api/admin/session', headers };
        const method = otherMethod ?? route.method;
        const withSession = who === 'session';
        if (route.upload && method === 'POST') {
          const randomUpload = withSession && upload.binary && route.path.startsWith('/api/admin/uploads?');
          return { method, path: route.path, body: upload.body, contentType: type || 'application/octet-stream', headers, randomUpload, withSession };
        }
        return { method, path: route.path, headers, withSession, ...(method === 'GET' ? {} : { body: json, contentType: type }) };
      })
    );
}

function requests(build: string, session: Session, tooLarge: Uint8Array): fc.Arbitrary<Req> {
  const method = fc.constantFrom('GET', 'GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH');
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(method, routes(build), fc.option(aggregateBody)).map(([m, path, b]) => ({ method: m, path, ...(b ?? {}) })) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom('POST', 'POST', 'POST', 'POST', 'POST', 'GET', 'PUT'), aggregateBody, fc.constantFrom('', '?year=2022', '?a=%zz')).map(
        ([m, b, q]) => ({ method: m, path: `/api/aggregate${q}`, ...b })
      )
    },
    { weight: 3, arbitrary: adminRequests(session, tooLarge) }
  );
}

// ---------------------------------------------------------------------------
// What every response must satisfy

const LEAKS = ['root:x:0:0', 'daemon:x:', '[extensions]', 'PATH=/', 'BEGIN RSA PRIVATE', 'BEGIN OPENSSH PRIVATE'];
const ENGLISH = /\b(?:Internal Server Error|Not Found|Bad Request|Unexpected token|Unexpected end|is not valid JSON|Invalid input|Expected|Required|must be|Malformed|Method Not Allowed|Payload Too Large)\b/;
const FRENCH = /[àâçéèêëîïôûùüÿœ’«»]|\b(?:de|du|des|la|le|les|un|une|est|aucun|aucune|attendu|invalide|inconnu|inconnue|inconnus|inconnues|corps|requête|paramètre|au plus|indicateurs?|couches?|niveaux?|territoires?|parcelles?|communes?)\b/i;

function toRequest(r: Req): Request | undefined {
  const headers = new Headers();
  try {
    for (const [k, v] of Object.entries(r.headers ?? {})) headers.set(k, v);
    if (r.contentType !== undefined) headers.set('content-type', r.contentType);
  } catch {
    return undefined; // not a header value a client could send
  }
  const withBody = r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD';
  try {
    return new Request(`http://localhost${r.path}`, { method: r.method, headers, body: withBody ? (r.body as BodyInit) : undefined });
  } catch {
    return undefined; // not an address a client could send
  }
}

async function check(app: ObservatoireApp['app'], r: Req): Promise<void> {
  const request = toRequest(r);
  if (!request) return;
  const shown = r.body === undefined ? '' : typeof r.body === 'string' ? JSON.stringify(r.body.slice(0, 200)) : `${r.body.byteLength} octets`;
  const label = `${r.method} ${r.path.slice(0, 300)}${shown ? ` body=${shown}` : ''} ct=${r.contentType} ${JSON.stringify(r.headers ?? {})}`;
  let res: Response;
  try {
    res = await app.request(request);
  } catch (error) {
    throw new Error(`${label} a levé ${String(error)}`, { cause: error });
  }
  const route = r.path.split('?')[0]?.split('/').slice(0, r.path.startsWith('/api/admin') ? 4 : 3).join('/') ?? '';
  const key = `${res.status} ${route.length > 20 ? '(autre)' : route}`;
  statusCounts.set(key, (statusCounts.get(key) ?? 0) + 1);
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('latin1');
  expect(res.status, `${label} → ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
  if (r.randomUpload) {
    expect([400, 413], `${label} → ${res.status} ${text.slice(0, 300)}`).toContain(res.status);
    randomUploads++;
  }
  if (r.withSession && res.status < 300 && !r.path.startsWith('/api/admin/session')) sessionSuccesses++;
  for (const leak of LEAKS) expect(text.includes(leak), `${label} contient ${leak}`).toBe(false);
  if (res.status >= 400 && r.method !== 'HEAD') {
    expect(res.headers.get('content-type') ?? '', `${label} → ${res.status}`).toMatch(/^application\/json/);
    const body = JSON.parse(bytes.toString('utf8')) as { error?: { code?: unknown; message?: unknown } };
    expect(Object.keys(body), label).toEqual(['error']);
    expect(typeof body.error?.code, label).toBe('string');
    expect(typeof body.error?.message, label).toBe('string');
    const message = String(body.error?.message);
    expect(message.length, label).toBeGreaterThan(0);
    // The message may echo the request; judge only the server's own words.
    const own = message.split(decodeSafe(r.path)).join(' ').split(r.path).join(' ');
    // The server's own sentence (before « : ») must be French; a technical detail quoted after it
    // (V8's JSON.parse message) is noted, not failed: see englishDetails.
    const lead = own.split(' : ')[0] ?? own;
    expect(lead, `${label} : message en anglais « ${message} »`).not.toMatch(ENGLISH);
    if (ENGLISH.test(own)) englishDetails.add(`${String(body.error?.code)} : ${message.replace(/(: ).*/, '$1…')} ${message.match(ENGLISH)?.[0] ?? ''}`);
    expect(message, `${label} : message pas en français « ${message} »`).toMatch(FRENCH);
  }
}

/** Successful answers to the statistician's session beyond the session route: the fuzz reached behind the login. */
let sessionSuccesses = 0;
/** Uploads of random bytes with a valid session, each refused. */
let randomUploads = 0;

/** Error messages whose detail part is English (reported at the end, not a failure). */
const englishDetails = new Set<string>();
/** Responses by status and route prefix, printed at the end to show what was reached. */
const statusCounts = new Map<string, number>();

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Cookies a response sets, as `name=value`. */
function cookiesOf(res: Response): Record<string, string> {
  return Object.fromEntries(res.headers.getSetCookie().map((l) => (l.split(';')[0] as string).split('=') as [string, string]));
}

/** Logs a statistician in through the routes, as the web app does, and uploads one small table. */
async function statisticianSession(app: ObservatoireApp['app'], store: AdminStore): Promise<Session> {
  const password = 'observatoire du 93, essais';
  await createUser(store, () => new Date(), { username: 'sami', role: 'statisticien', password, displayName: 'Sami Stat' }, { username: null, context: { via: 'test' } });
  const visit = await app.request('/api/admin/session');
  const csrfCookie = cookiesOf(visit).obs_csrf as string;
  const login = await app.request('/api/admin/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: `obs_csrf=${csrfCookie}`, 'x-csrf-token': csrfCookie },
    body: JSON.stringify({ username: 'sami', password })
  });
  expect(login.status).toBe(200);
  const token = cookiesOf(login).obs_session as string;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const upload = await app.request('/api/admin/uploads?filename=essai.csv', {
    method: 'POST',
    headers: { 'content-type': 'text/csv', cookie: `obs_session=${token}`, 'x-csrf-token': csrfToken },
    body: 'code;valeur\n93010;12\n93048;7\n'
  });
  expect(upload.status).toBe(201);
  const { upload: stored } = (await upload.json()) as { upload: { id: string } };
  return { token, csrf: csrfToken, uploadId: stored.id };
}

/** Builds asked for by the fuzzed back office fail at once: no ETL runs during the test. */
const noBuilds: BuildRunner = async () => {
  throw new Error('constructions désactivées pendant le test');
};

/** Where the app may open files: its own tree (code, catalogue, test build) and its data dir. */
function outside(paths: Iterable<string>, roots: string[]): string[] {
  return [...paths].filter((p) => !roots.some((root) => p === root || p.startsWith(root + sep)));
}

describe.skipIf(!withGlobalSetup)('fuzzing the API and tiles on the real build', () => {
  let db: Db;
  let app: ObservatoireApp['app'];
  let store: AdminStore;
  let session: Session;
  let dataDir: string;
  let reads: FileReads | undefined;
  let build = '';
  const logger = memoryLogger();
  // one body past the 20 MB upload limit, drawn now and then
  const tooLarge = new Uint8Array(20 * 1024 * 1024 + 1).fill(7);

  beforeAll(async () => {
    dataDir = realpathSync(mkdtempSync(join(tmpdir(), 'obs-fuzz-admin-')));
    db = await openDb(testDbPath());
    store = await openAdminStore(join(dataDir, 'admin', 'observatoire-admin.duckdb'));
    const clock = () => new Date();
    const publishing = createPublishing({ dataDir, db, store, clock, logger, runner: noBuilds });
    app = createApp({ db, logger, admin: { auth: { store, secureCookies: false, trustProxy: false }, publishing } }).app;
    const health = (await (await app.request('/api/health')).json()) as { build: { id: string } };
    build = health.build.id;
    session = await statisticianSession(app, store);
    reads = recordFileReads();
  });
  afterAll(async () => {
    reads?.stop();
    store?.close();
    await db?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    console.info([...statusCounts].sort().map(([k, n]) => `${k} : ${n}`).join('\n'));
    if (englishDetails.size > 0) console.info(`messages avec un détail en anglais :\n${[...englishDetails].join('\n')}`);
  });

  for (let block = 0; block < BLOCKS; block++) {
    it(`answers ${RUNS_PER_BLOCK} random requests (bloc ${block + 1}/${BLOCKS}) without 5xx, throw or leak`, async () => {
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(requests(build, session, tooLarge), (r) => check(app, r)),
        { seed: 0x0b5e + block, numRuns: RUNS_PER_BLOCK, endOnFailure: false }
      );
      console.info(`bloc ${block + 1} : ${RUNS_PER_BLOCK} requêtes en ${Date.now() - started} ms`);
    });
  }

  it('opened no file outside the app and its data dir while fuzzed', () => {
    const opened = reads?.paths ?? new Set<string>();
    expect(opened.size).toBeGreaterThan(0);
    expect(outside(opened, [repoRoot, realpathSync(repoRoot), dataDir])).toEqual([]);
    const inDataDir = [...opened].filter((p) => p.startsWith(dataDir + sep));
    console.info(`fichiers ouverts pendant le fuzzing : ${opened.size}, dont ${inDataDir.length} dans le dossier de données`);
    expect(inDataDir.length).toBeGreaterThan(0);
    // the fuzz reached the routes behind the login, and the statistician's session held to the end
    expect(sessionSuccesses).toBeGreaterThan(0);
    console.info(`${randomUploads} dépôts d'octets aléatoires refusés, ${sessionSuccesses} réponses réussies à la session du statisticien`);
    expect(randomUploads).toBeGreaterThan(0);
  });

  it('kept the statistician’s session working through the run', async () => {
    const res = await app.request('/api/admin/drafts', { headers: { cookie: `obs_session=${session.token}` } });
    expect(res.status).toBe(200);
  });
});
