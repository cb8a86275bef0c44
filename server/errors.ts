import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';

/**
 * Stable error codes of the API. Clients switch on `code`; `message` is French
 * prose for people and may change.
 */
export type ErrorCode =
  | 'parametre_invalide'
  | 'corps_invalide'
  | 'corps_trop_grand'
  | 'limite_depassee'
  | 'niveau_inconnu'
  | 'territoire_inconnu'
  | 'indicateur_inconnu'
  | 'annee_inconnue'
  | 'couche_inconnue'
  | 'millesime_inconnu'
  | 'parcelle_inconnue'
  | 'route_inconnue'
  // publishing (server/admin/publishing)
  | 'fichier_invalide'
  | 'fichier_trop_grand'
  | 'depot_inconnu'
  | 'brouillon_inconnu'
  | 'zonage_inconnu'
  | 'construction_inconnue'
  | 'validation_requise'
  | 'validation_en_echec'
  | 'indicateur_existant'
  | 'zonage_existant'
  | 'etat_incompatible'
  // accounts and sessions (server/admin/auth)
  | 'authentification_requise'
  | 'session_expiree'
  | 'acces_refuse'
  | 'csrf_invalide'
  | 'trop_de_tentatives'
  | 'identifiants_invalides'
  | 'compte_existant'
  | 'compte_inconnu'
  | 'mot_de_passe_faible'
  | 'dernier_administrateur'
  // operation (server/observability, server/db.ts)
  | 'delai_depasse'
  | 'service_indisponible'
  | 'erreur_interne';

export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(status: ContentfulStatusCode, code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Code stable, par ex. `territoire_inconnu`' }),
      message: z.string().meta({ description: 'Message en français' }),
      details: z.unknown().optional()
    })
  })
  .meta({ id: 'Erreur' });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

const frenchErrors = z.locales.fr().localeError;
type Where = 'chemin' | 'requête' | 'corps';

/** Parses with French messages; a failure is a 400 naming the faulty parameter. */
export function validate<S extends z.ZodType>(schema: S, data: unknown, where: Where): z.output<S> {
  const result = schema.safeParse(data, { error: frenchErrors });
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const described = issues.map((i) => (i.path ? `« ${i.path} » : ${i.message}` : i.message)).join(' ; ');
  const what = where === 'corps' ? 'Corps de requête invalide' : 'Paramètre invalide';
  throw new ApiError(400, where === 'corps' ? 'corps_invalide' : 'parametre_invalide', `${what} — ${described}`, issues);
}
