import { describe, expect, it } from 'vitest';
import { SCRYPT_PARAMS, hashPassword, passwordProblem, verifyAgainstDecoy, verifyPassword } from './passwords.ts';

describe('hashPassword / verifyPassword', () => {
  it('stores scrypt$N$r$p$salt$hash with N = 2^15, r = 8, p = 1 and a fresh salt each time', async () => {
    const a = await hashPassword('une phrase de passe');
    const b = await hashPassword('une phrase de passe');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(SCRYPT_PARAMS).toEqual({ N: 32768, r: 8, p: 1 });
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
    expect(a).not.toBe(b);
  });

  it('accepts the right password only', async () => {
    const stored = await hashPassword('une phrase de passe');
    expect(await verifyPassword('une phrase de passe', stored)).toBe(true);
    expect(await verifyPassword('une phrase de passe ', stored)).toBe(false);
    expect(await verifyPassword('Une phrase de passe', stored)).toBe(false);
  });

  it('verifies with the parameters stored beside the hash', async () => {
    const light = await hashPassword('une phrase de passe', { N: 2 ** 14, r: 8, p: 1 });
    expect(light.startsWith('scrypt$16384$8$1$')).toBe(true);
    expect(await verifyPassword('une phrase de passe', light)).toBe(true);
  });

  it('matches a password typed with decomposed accents (NFD) against the same one in NFC', async () => {
    const stored = await hashPassword('élément sécurisé'.normalize('NFC'));
    expect(await verifyPassword('élément sécurisé'.normalize('NFD'), stored)).toBe(true);
  });

  it('refuses, without throwing, a malformed or tampered hash (huge N would exhaust memory)', async () => {
    const stored = await hashPassword('une phrase de passe');
    const parts = stored.split('$');
    for (const bad of ['', 'bcrypt$x', stored.replace('scrypt$32768', 'scrypt$1073741824'), stored.replace('scrypt$32768', 'scrypt$30000'), [...parts.slice(0, 5), ''].join('$')]) {
      expect(await verifyPassword('une phrase de passe', bad), bad).toBe(false);
    }
  });

  it('spends about one scrypt on an unknown account (the decoy), so timing does not reveal accounts', async () => {
    const stored = await hashPassword('une phrase de passe');
    await verifyAgainstDecoy('échauffement');
    const time = async (f: () => Promise<unknown>) => {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await f();
        runs.push(performance.now() - t0);
      }
      return runs.sort((x, y) => x - y)[1] as number;
    };
    const real = await time(() => verifyPassword('mauvais mot de passe', stored));
    const decoy = await time(() => verifyAgainstDecoy('mauvais mot de passe'));
    expect(await verifyAgainstDecoy('une phrase de passe')).toBe(false);
    // Loose bounds: the two must be the same order of magnitude (a skipped scrypt is ~1000× faster).
    expect(decoy).toBeGreaterThan(real * 0.3);
    expect(decoy).toBeLessThan(real * 3);
  });
});

describe('passwordProblem', () => {
  it('asks for at least 12 characters, counted as characters, not bytes', () => {
    expect(passwordProblem('onze caract', 'alice')).toBe(
      'Le mot de passe doit compter au moins 12 caractères (il en compte 11). Une phrase de plusieurs mots est plus facile à retenir.'
    );
    expect(passwordProblem('douze caract', 'alice')).toBeNull();
    expect(passwordProblem('ééééééééééé', 'alice')).toContain('il en compte 11');
  });

  it('refuses the username inside the password, whatever the case', () => {
    expect(passwordProblem('mot de passe de ALICE93', 'alice')).toBe('Le mot de passe ne doit pas contenir l’identifiant du compte.');
    expect(passwordProblem('mot de passe de bob93', 'alice')).toBeNull();
  });

  it('refuses an absurdly long password', () => {
    expect(passwordProblem('x'.repeat(257), 'alice')).toBe('Le mot de passe ne doit pas dépasser 256 caractères.');
  });
});
