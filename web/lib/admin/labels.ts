/** French words of the back office: audit actions, states, kinds. Unknown values are shown as they are. */

export const AUDIT_ACTIONS: Record<string, string> = {
  connexion: 'Connexion',
  connexion_refusee: 'Connexion refusée',
  deconnexion: 'Déconnexion',
  compte_cree: 'Compte créé',
  compte_desactive: 'Compte désactivé',
  compte_reactive: 'Compte réactivé',
  mot_de_passe_change: 'Mot de passe changé',
  depot: 'Dépôt d’un fichier',
  depot_options: 'Options de lecture changées',
  validation: 'Validation d’un dépôt',
  brouillon: 'Brouillon créé',
  apercu: 'Aperçu construit',
  publication: 'Publication',
  depublication: 'Dépublication',
  zonage_cree: 'Zonage enregistré',
  zonage_publie: 'Zonage publié',
  zonage_depublie: 'Zonage dépublié'
};

export function auditActionLabel(action: string): string {
  return AUDIT_ACTIONS[action] ?? action;
}

export const JOB_STATES: Record<string, string> = {
  en_attente: 'en attente',
  en_cours: 'en cours',
  termine: 'terminée',
  echec: 'échec'
};

export const JOB_KINDS: Record<string, string> = {
  apercu: 'Aperçu',
  publication: 'Publication',
  depublication: 'Dépublication',
  zonage: 'Publication de zonage',
  'depublication-zonage': 'Dépublication de zonage'
};

export const DRAFT_STATES: Record<string, string> = {
  brouillon: 'brouillon',
  publie: 'publié',
  depublie: 'dépublié'
};

export const ROLES: Record<string, string> = {
  admin: 'administrateur',
  statisticien: 'statisticien'
};

export const SEVERITIES: Record<string, { label: string; plural: string }> = {
  erreur: { label: 'Erreur', plural: 'Erreurs' },
  avertissement: { label: 'Avertissement', plural: 'Avertissements' },
  info: { label: 'Information', plural: 'Informations' }
};

export const INDICATOR_KIND_LABELS: Record<string, string> = {
  count: 'Effectif (s’additionne)',
  ratio: 'Ratio : numérateur / dénominateur',
  median: 'Médiane publiée',
  mean: 'Moyenne publiée',
  rate: 'Taux publié (sans numérateur)'
};

export const label = (table: Record<string, string>, key: string): string => table[key] ?? key;

const dateTime = new Intl.DateTimeFormat('fr-FR', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/Paris'
});

/** « 6 déc. 2026, 15:42 » (Paris time), or « — » for none. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** The audit log's `details` (JSON written by the server) as « clé : valeur » lines, for people. */
export function auditDetails(details: string | null): string[] {
  if (!details) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return [details];
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return [String(details)];
  return Object.entries(parsed as Record<string, unknown>).map(([k, v]) => {
    const value = v === null ? '—' : Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return `${k} : ${value}`;
  });
}
