/**
 * An input the ETL cannot accept. The message always names the file and, when
 * known, the line and column, plus what was expected, so a statistician can fix
 * the producer's file or the mirror without reading our code.
 */
export interface InputErrorDetail {
  file: string;
  line?: number | undefined;
  column?: number | string | undefined;
  expected: string;
  found?: string | undefined;
  hint?: string | undefined;
}

export class InputError extends Error {
  readonly detail: InputErrorDetail;
  constructor(detail: InputErrorDetail, options?: { cause?: unknown }) {
    super(formatInputError(detail), options);
    this.name = 'InputError';
    this.detail = detail;
  }
}

export function formatInputError(d: InputErrorDetail): string {
  let where = d.file;
  if (d.line !== undefined) where += `, ligne ${d.line}`;
  if (d.column !== undefined) where += `, colonne ${d.column}`;
  let msg = `${where} : attendu ${d.expected}`;
  if (d.found !== undefined) msg += `, trouvé ${JSON.stringify(truncate(d.found, 80))}`;
  if (d.hint) msg += `. ${d.hint}`;
  return msg;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/** Raised when the build cannot proceed for an environmental reason (no network, no mirror…). */
export class EnvironmentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EnvironmentError';
  }
}

/** Raised when a finished build fails its validation (row counts, referential checks). */
export class ValidationError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`La base construite ne passe pas la validation :\n- ${problems.join('\n- ')}`);
    this.name = 'ValidationError';
    this.problems = problems;
  }
}
