/**
 * Reads one of our tiles with GDAL's MVT driver (another implementation than ours and
 * MapLibre's), so a bench run also proves the encoding is standard.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OgrTileRead {
  ok: boolean;
  /** Feature count GDAL reports for the layer, or null when it could not read the tile. */
  features: number | null;
  detail: string;
}

export function ogrinfoTile(mvt: Uint8Array, layer: string, z: number, x: number, y: number): OgrTileRead | null {
  if (spawnSync('ogrinfo', ['--version'], { encoding: 'utf8' }).status !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'obs-ogr-'));
  try {
    // GDAL infers z/x/y from a …/z/x/y.pbf path.
    const file = join(dir, String(z), String(x), `${y}.pbf`);
    mkdirSync(join(dir, String(z), String(x)), { recursive: true });
    writeFileSync(file, mvt);
    const r = spawnSync('ogrinfo', ['-ro', '-so', '-al', file], { encoding: 'utf8' });
    const m = new RegExp(`Layer name: ${layer}[\\s\\S]*?Feature Count: (\\d+)`).exec(r.stdout);
    return { ok: r.status === 0 && m !== null, features: m ? Number(m[1]) : null, detail: (r.stderr || r.stdout).trim().split('\n')[0] ?? '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
