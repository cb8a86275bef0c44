import { describe, expect, it } from 'vitest';
import { leavePreviewPath, loginPath, previewPath, safeLocalPath } from './paths.ts';

describe('redirect targets', () => {
  it('keeps paths of this site, with their query and fragment', () => {
    expect(safeLocalPath('/carte?indicateur=x&niveau=commune')).toBe('/carte?indicateur=x&niveau=commune');
    expect(safeLocalPath('/admin/depot/depot-1?etape=apercu#rapport')).toBe('/admin/depot/depot-1?etape=apercu#rapport');
  });

  it('refuses every way of leaving the site', () => {
    for (const evil of ['https://evil.example/', '//evil.example/x', '/\\evil.example', '\\\\evil', 'javascript:alert(1)', '/a\nb', '', null, undefined, 'carte']) {
      expect(safeLocalPath(evil), String(evil)).toBe('/admin');
    }
    expect(safeLocalPath('/%2F%2Fevil.example')).toBe('/%2F%2Fevil.example');
  });

  it('sends to the login page remembering where the user was going and why', () => {
    expect(loginPath('/admin/journal?page=2', 'expiree')).toBe('/admin/connexion?suite=%2Fadmin%2Fjournal%3Fpage%3D2&motif=expiree');
    expect(loginPath('/admin')).toBe('/admin/connexion');
    expect(loginPath('https://evil.example')).toBe('/admin/connexion');
  });

  it('builds the preview switch links', () => {
    expect(previewPath('brouillon-abc-1', '/carte?indicateur=x')).toBe('/admin/apercu/brouillon-abc-1?vers=%2Fcarte%3Findicateur%3Dx');
    expect(leavePreviewPath('//evil')).toBe('/admin/apercu/quitter?vers=%2F');
  });
});
