/**
 * A figure read straight from a build file, to check what a server answers against the file
 * rather than against a number written in a test: the municipal population of Bondy, last year.
 */
import { DuckDBInstance } from '@duckdb/node-api';

export interface KnownValue {
  indicator: string;
  year: number;
  code: string;
  value: number;
}

export const KNOWN = { indicator: 'population-municipale', code: '93010' };

export async function knownValue(file: string): Promise<KnownValue> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  try {
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(
        `SELECT year, value FROM indicator_values
         WHERE indicator_id = $indicator AND level = 'commune' AND code = $code AND status = 'ok'
         ORDER BY year DESC LIMIT 1`,
        KNOWN
      );
      const row = reader.getRowObjectsJS()[0] as { year: number; value: number } | undefined;
      if (!row) throw new Error(`${file} : pas de valeur ${KNOWN.indicator} pour ${KNOWN.code}`);
      return { ...KNOWN, year: Number(row.year), value: row.value };
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** The value of `code` in a `/api/indicators/{id}/values` answer. */
export function valueOf(answer: unknown, code: string): number | null | undefined {
  const values = (answer as { values?: { code: string; value: number | null }[] }).values;
  return values?.find((v) => v.code === code)?.value;
}
