import { describe, expect, it } from 'vitest';
import { DEFAULT_AUTH_SETTINGS, authSettings } from './settings.ts';

describe('authSettings', () => {
  it('defaults to 2 h idle, 12 h absolute, 5 failures per username and 20 per address in 15 min', () => {
    expect(authSettings({ idleTimeoutMs: 1000 })).toEqual({ ...DEFAULT_AUTH_SETTINGS, idleTimeoutMs: 1000 });
    expect(DEFAULT_AUTH_SETTINGS).toMatchObject({
      idleTimeoutMs: 7_200_000,
      absoluteTimeoutMs: 43_200_000,
      touchIntervalMs: 60_000,
      loginLimitPerUsername: { max: 5, windowMs: 900_000 },
      loginLimitPerIp: { max: 20, windowMs: 900_000 }
    });
  });

  it('refuses a duration that is not positive', () => {
    expect(() => authSettings({ idleTimeoutMs: 0 })).toThrow('idleTimeoutMs doit être un nombre positif');
    expect(() => authSettings({ absoluteTimeoutMs: Number.NaN })).toThrow('absoluteTimeoutMs');
  });
});
