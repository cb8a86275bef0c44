import { z } from 'zod';
import type { Build } from '../db.ts';
import { ApiError } from '../errors.ts';
import { type TileLayer, tileLayers } from '../queries/tiles.ts';
import { type Ctx, Router } from '../routing.ts';
import { TileJsonSchema, tileCoordinates } from '../schemas.ts';
import { IMMUTABLE, MVT, SHORT, tileAnswer } from '../tiles/http.ts';
import type { TileService } from '../tiles/service.ts';

const LayerParam = z.string().min(1).max(64).meta({ description: 'departement, ept, commune, iris, qpv ou un zonage publié' });
const TileCoordinates = tileCoordinates('Zoom, 0 à 24');


const TILE_RESPONSES = {
  200: { description: 'Tuile vectorielle Mapbox (MVT v2), compressée gzip', contentType: MVT },
  204: { description: 'Tuile vide' },
  304: { description: 'Inchangée (If-None-Match)' }
};

async function requireLayer(build: Build, id: string): Promise<TileLayer> {
  const layers = await tileLayers(build);
  const layer = layers.get(id);
  if (!layer) throw new ApiError(404, 'couche_inconnue', `Couche inconnue : « ${id} ». Couches : ${[...layers.keys()].join(', ')}.`);
  return layer;
}

export function tilesRoutes(deps: { tiles: TileService }): Router {
  const r = new Router('/tiles', 'Tuiles');

  async function serveTile(c: Ctx, p: { layer: string; z: number; x: number; y: number }, cacheControl: string): Promise<Response> {
    const build = c.get('build');
    const layer = await requireLayer(build, p.layer);
    const size = 2 ** p.z;
    if (p.x >= size || p.y >= size) {
      throw new ApiError(400, 'parametre_invalide', `Tuile hors limites : au zoom ${p.z}, x et y vont de 0 à ${size - 1}.`);
    }
    const tile = await deps.tiles.tile(build, layer, p.z, p.x, p.y);
    const answer = tileAnswer(tile, { acceptEncoding: c.req.header('Accept-Encoding'), ifNoneMatch: c.req.header('If-None-Match') }, cacheControl);
    if (!answer.body) return c.body(null, answer.status, answer.headers);
    return c.body(answer.body as Uint8Array<ArrayBuffer>, 200, answer.headers);
  }

  r.get(
    '/:layer{[^/]+\\.json}',
    {
      summary: 'TileJSON d’une couche',
      description: 'Donne l’adresse versionnée des tuiles (par build), les zooms, l’emprise et les champs des entités.',
      params: z.object({
        layer: z
          .string()
          .regex(/^[^/]{1,64}\.json$/)
          .transform((s) => s.slice(0, -'.json'.length))
      }),
      response: TileJsonSchema
    },
    async (c, { params }) => {
      const build = c.get('build');
      const layer = await requireLayer(build, params.layer);
      const origin = new URL(c.req.url).origin;
      const [minx, miny, maxx, maxy] = layer.bounds;
      const centerZoom = Math.max(layer.minZoom, Math.min(10, layer.maxZoom));
      const body: z.infer<typeof TileJsonSchema> = {
        tilejson: '3.0.0',
        name: layer.label,
        scheme: 'xyz',
        version: build.id,
        tiles: [`${origin}/tiles/${encodeURIComponent(build.id)}/${encodeURIComponent(layer.id)}/{z}/{x}/{y}.pbf`],
        minzoom: layer.minZoom,
        maxzoom: layer.maxZoom,
        bounds: [minx, miny, maxx, maxy],
        center: [(minx + maxx) / 2, (miny + maxy) / 2, centerZoom],
        vector_layers: [
          { id: layer.id, description: layer.label, minzoom: layer.minZoom, maxzoom: layer.maxZoom, fields: layer.fields }
        ]
      };
      c.header('Cache-Control', 'no-cache');
      return c.json(body);
    }
  );

  r.get(
    '/:layer/:z/:x/:y{[^/]+\\.pbf}',
    {
      summary: 'Tuile vectorielle (adresse courte)',
      description: 'Toujours le build courant, mise en cache courte. Préférer l’adresse versionnée donnée par le TileJSON.',
      params: z.object({ layer: LayerParam, ...TileCoordinates }),
      responses: TILE_RESPONSES
    },
    (c, { params }) => serveTile(c, params, SHORT)
  );

  r.get(
    '/:build/:layer/:z/:x/:y{[^/]+\\.pbf}',
    {
      summary: 'Tuile vectorielle (adresse versionnée)',
      description:
        'Immuable : mise en cache un an. Un build qui n’est plus le build courant redirige (302) vers la même tuile du build courant.',
      params: z.object({ build: z.string().min(1).max(128), layer: LayerParam, ...TileCoordinates }),
      responses: { ...TILE_RESPONSES, 302: { description: 'Build périmé : redirection vers le build courant' } }
    },
    (c, { params }) => {
      const build = c.get('build');
      if (params.build !== build.id) {
        const path = `/tiles/${encodeURIComponent(build.id)}/${encodeURIComponent(params.layer)}/${params.z}/${params.x}/${params.y}.pbf`;
        c.header('Cache-Control', 'no-store');
        return c.redirect(path, 302);
      }
      return serveTile(c, params, IMMUTABLE);
    }
  );

  return r;
}
