import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url (43 characters): session and anti-CSRF tokens. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What a token read from a request must look like before it is worth a lookup. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Constant-time string equality. Both sides are hashed first so that inputs of different
 * lengths compare in the same time too (timingSafeEqual wants equal lengths).
 */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db) && a.length === b.length;
}
