import { describe, expect, it } from 'vitest';
import { auditActionLabel, auditDetails, formatDateTime } from './labels.ts';

describe('French labels of the back office', () => {
  it('names every action the server audits, and shows an unknown one as it is', () => {
    for (const action of ['connexion', 'connexion_refusee', 'deconnexion', 'compte_cree', 'compte_desactive', 'compte_reactive', 'mot_de_passe_change', 'depot', 'depot_options', 'validation', 'brouillon', 'apercu', 'publication', 'depublication', 'zonage_cree', 'zonage_publie', 'zonage_depublie']) {
      expect(auditActionLabel(action), action).not.toBe(action);
    }
    expect(auditActionLabel('action_future')).toBe('action_future');
  });

  it('reads audit details as « key : value » lines, and leaves non-JSON text alone', () => {
    expect(auditDetails('{"filename":"a.csv","rows":40,"coverage":["93"],"x":null}')).toEqual(['filename : a.csv', 'rows : 40', 'coverage : 93', 'x : —']);
    expect(auditDetails('mot de passe incorrect')).toEqual(['mot de passe incorrect']);
    expect(auditDetails(null)).toEqual([]);
  });

  it('writes dates in Paris time', () => {
    expect(formatDateTime('2026-12-06T14:42:00Z')).toBe('6 déc. 2026, 15:42');
    expect(formatDateTime(null)).toBe('—');
  });
});
