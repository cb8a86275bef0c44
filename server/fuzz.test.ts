/**
 * Fuzzing every route of server/README.md against the build the global setup makes:
 * 10 000 seeded random and malformed requests (levels, codes, years, huge numbers,
 * unicode, percent-encoding, path traversal, SQL fragments, long strings, odd methods,
 * bodies and content types). Whatever the request, the server never throws, never
 * answers 5xx, answers every error with `{error: {code, message}}` in French, and
 * never leaks a file from outside the app.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { memoryLogger } from '../etl/core/logger.ts';
import { testDbPath } from '../etl/testing/test-db.ts';
import { type ObservatoireApp, createApp } from './app.ts';
import { type Db, openDb } from './db.ts';

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
  body?: string;
  contentType?: string;
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

function requests(build: string): fc.Arbitrary<Req> {
  const method = fc.constantFrom('GET', 'GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH');
  return fc.oneof(
    { weight: 8, arbitrary: fc.tuple(method, routes(build), fc.option(aggregateBody)).map(([m, path, b]) => ({ method: m, path, ...(b ?? {}) })) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom('POST', 'POST', 'POST', 'POST', 'POST', 'GET', 'PUT'), aggregateBody, fc.constantFrom('', '?year=2022', '?a=%zz')).map(
        ([m, b, q]) => ({ method: m, path: `/api/aggregate${q}`, ...b })
      )
    }
  );
}

// ---------------------------------------------------------------------------
// What every response must satisfy

const LEAKS = ['root:x:0:0', 'daemon:x:', '[extensions]', 'PATH=/', 'BEGIN RSA PRIVATE', 'BEGIN OPENSSH PRIVATE'];
const ENGLISH = /\b(?:Internal Server Error|Not Found|Bad Request|Unexpected token|Unexpected end|is not valid JSON|Invalid input|Expected|Required|must be|Malformed|Method Not Allowed|Payload Too Large)\b/;
const FRENCH = /[àâçéèêëîïôûùüÿœ’«»]|\b(?:de|du|des|la|le|les|un|une|est|aucun|aucune|attendu|invalide|inconnu|inconnue|inconnus|inconnues|corps|requête|paramètre|au plus|indicateurs?|couches?|niveaux?|territoires?|parcelles?|communes?)\b/i;

function toRequest(r: Req): Request | undefined {
  const headers = new Headers();
  if (r.contentType !== undefined) {
    try {
      headers.set('content-type', r.contentType);
    } catch {
      return undefined; // not a header value a client could send
    }
  }
  const withBody = r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD';
  try {
    return new Request(`http://localhost${r.path}`, { method: r.method, headers, body: withBody ? r.body : undefined });
  } catch {
    return undefined; // not an address a client could send
  }
}

async function check(app: ObservatoireApp['app'], r: Req): Promise<void> {
  const request = toRequest(r);
  if (!request) return;
  const label = `${r.method} ${r.path.slice(0, 300)}${r.body === undefined ? '' : ` body=${JSON.stringify(r.body.slice(0, 200))}`} ct=${r.contentType}`;
  let res: Response;
  try {
    res = await app.request(request);
  } catch (error) {
    throw new Error(`${label} a levé ${String(error)}`, { cause: error });
  }
  const route = r.path.split('?')[0]?.split('/').slice(0, 3).join('/') ?? '';
  const key = `${res.status} ${route.length > 20 ? '(autre)' : route}`;
  statusCounts.set(key, (statusCounts.get(key) ?? 0) + 1);
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('latin1');
  expect(res.status, `${label} → ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
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

describe.skipIf(!withGlobalSetup)('fuzzing the API and tiles on the real build', () => {
  let db: Db;
  let app: ObservatoireApp['app'];
  let build = '';
  const logger = memoryLogger();

  beforeAll(async () => {
    db = await openDb(testDbPath());
    app = createApp({ db, logger }).app;
    const health = (await (await app.request('/api/health')).json()) as { build: { id: string } };
    build = health.build.id;
  });
  afterAll(() => {
    db?.close();
    console.info([...statusCounts].sort().map(([k, n]) => `${k} : ${n}`).join('\n'));
    if (englishDetails.size > 0) console.info(`messages avec un détail en anglais :\n${[...englishDetails].join('\n')}`);
  });

  for (let block = 0; block < BLOCKS; block++) {
    it(`answers ${RUNS_PER_BLOCK} random requests (bloc ${block + 1}/${BLOCKS}) without 5xx, throw or leak`, async () => {
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(requests(build), (r) => check(app, r)),
        { seed: 0x0b5e + block, numRuns: RUNS_PER_BLOCK, endOnFailure: false }
      );
      console.info(`bloc ${block + 1} : ${RUNS_PER_BLOCK} requêtes en ${Date.now() - started} ms`);
    });
  }
});
