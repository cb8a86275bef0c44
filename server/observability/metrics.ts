import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Build } from '../db.ts';
import type { CacheStats } from '../tiles/cache.ts';

/** What the metrics read at scrape time; nothing is polled in between. */
export interface MetricsSources {
  currentBuild(): Build;
  tileStats(): CacheStats;
  /** Cached tiles answered by the fast path of `serve.ts`, before Hono. */
  fastTiles(): number;
  openLeases(): number;
  heavyInFlight(): number;
  requestsInFlight(): number;
  clock(): Date;
}

export type StatusLabel = number | 'abandon';

export interface ServerMetrics {
  readonly contentType: string;
  observeHttp(route: string, method: string, status: StatusLabel, seconds: number): void;
  /** A request answered with an API error code (`delai_depasse`, `parametre_invalide`…). */
  countError(code: string): void;
  /** A request refused before any handler: `surcharge`, `delai_requete`, `requete_mal_formee`… */
  countRejected(reason: string): void;
  render(): Promise<string>;
}

/** Seconds; from a cached tile (≈ 0.1 ms) to a PDF (tens of seconds). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

function statusClass(status: StatusLabel): string {
  return status === 'abandon' ? status : `${Math.floor(status / 100)}xx`;
}

/**
 * The Prometheus metrics of one server, in a registry of its own (two servers in one
 * process, as in tests, do not mix). Request labels are route patterns, never raw paths,
 * so the number of series stays bounded whatever clients send.
 */
export function createMetrics(sources: MetricsSources, options: { processMetrics?: boolean } = {}): ServerMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'observatoire_http_requests_total',
    help: 'Requêtes HTTP par motif de route, méthode et classe de statut (abandon : client parti avant la fin)',
    labelNames: ['route', 'method', 'status_class'] as const,
    registers: [registry]
  });
  const latency = new Histogram({
    name: 'observatoire_http_request_duration_seconds',
    help: 'Durée des requêtes HTTP, de la réception à la fin de la réponse, par motif de route',
    labelNames: ['route', 'method'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry]
  });
  const errors = new Counter({
    name: 'observatoire_http_errors_total',
    help: "Réponses d'erreur de l'API par code (delai_depasse : requête DuckDB interrompue)",
    labelNames: ['code'] as const,
    registers: [registry]
  });
  const rejected = new Counter({
    name: 'observatoire_http_rejected_total',
    help: 'Requêtes refusées avant tout traitement (surcharge, client trop lent, requête mal formée)',
    labelNames: ['reason'] as const,
    registers: [registry]
  });
  new Gauge({
    name: 'observatoire_http_requests_in_flight',
    help: 'Requêtes en cours',
    registers: [registry],
    collect() {
      this.set(sources.requestsInFlight());
    }
  });
  new Gauge({
    name: 'observatoire_heavy_requests_in_flight',
    help: 'Requêtes lourdes en cours (PDF, exports XLSX et GeoPackage)',
    registers: [registry],
    collect() {
      this.set(sources.heavyInFlight());
    }
  });
  // The cache counts its own hits and misses (the fast path included): read, not recounted.
  new Counter({
    name: 'observatoire_tile_cache_hits_total',
    help: 'Tuiles trouvées dans le cache (voie rapide comprise)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.tileStats().hits);
    }
  });
  new Counter({
    name: 'observatoire_tile_cache_misses_total',
    help: 'Tuiles absentes du cache, donc découpées',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.tileStats().misses);
    }
  });
  new Counter({
    name: 'observatoire_tile_fast_path_total',
    help: 'Tuiles en cache servies par la voie rapide, sans Hono',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.fastTiles());
    }
  });
  new Gauge({
    name: 'observatoire_tile_cache_bytes',
    help: 'Octets occupés par le cache de tuiles',
    registers: [registry],
    collect() {
      this.set(sources.tileStats().bytes);
    }
  });
  new Gauge({
    name: 'observatoire_tile_cache_max_bytes',
    help: 'Borne du cache de tuiles en octets',
    registers: [registry],
    collect() {
      this.set(sources.tileStats().maxBytes);
    }
  });
  new Gauge({
    name: 'observatoire_tile_cache_entries',
    help: 'Tuiles en cache',
    registers: [registry],
    collect() {
      this.set(sources.tileStats().entries);
    }
  });
  new Gauge({
    name: 'observatoire_build_info',
    help: 'Build en service (valeur 1), identifié par ses étiquettes',
    labelNames: ['build_id', 'cog_vintage', 'etl_version'] as const,
    registers: [registry],
    collect() {
      const build = sources.currentBuild();
      this.reset();
      this.set({ build_id: build.id, cog_vintage: build.info.cog_vintage ?? '', etl_version: build.info.etl_version ?? '' }, 1);
    }
  });
  new Gauge({
    name: 'observatoire_build_age_seconds',
    help: 'Âge du build en service (depuis build_info.created_at)',
    registers: [registry],
    collect() {
      this.reset();
      const created = Date.parse(sources.currentBuild().createdAt ?? '');
      if (Number.isFinite(created)) this.set((sources.clock().getTime() - created) / 1000);
    }
  });
  new Gauge({
    name: 'observatoire_db_open_leases',
    help: 'Baux ouverts sur un build (requêtes qui le lisent)',
    registers: [registry],
    collect() {
      this.set(sources.openLeases());
    }
  });

  return {
    contentType: registry.contentType,
    observeHttp(route, method, status, seconds) {
      requests.inc({ route, method, status_class: statusClass(status) });
      latency.observe({ route, method }, seconds);
    },
    countError(code) {
      errors.inc({ code });
    },
    countRejected(reason) {
      rejected.inc({ reason });
    },
    render: () => registry.metrics()
  };
}
