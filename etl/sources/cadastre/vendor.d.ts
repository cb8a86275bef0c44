// Types for the untyped packages the cadastre loader uses. Only what we call is declared.

declare module 'seek-bzip' {
  interface Bunzip {
    /** Decodes a whole bzip2 buffer; throws (TypeError with `errorCode`) on bad magic or corrupt data. */
    decode(input: Uint8Array, output?: number | Uint8Array, multistream?: boolean): Buffer;
  }
  const bunzip: Bunzip;
  export default bunzip;
}

// @etalab/edigeo-parser 1.1.0 internals (see etl/sources/cadastre/edigeo-parser.ts for why).
declare module '@etalab/edigeo-parser/lib/parse/readers/common.js' {
  export function parseBundle<I, F>(
    input: I,
    extractFiles: (input: I) => Promise<Record<'thf' | 'geo' | 't1' | 't2' | 't3' | 's1' | 'qal', F | undefined>>,
    parseOne: (file: F) => Promise<Record<string, object>>
  ): Promise<Record<string, unknown>>;
}

declare module '@etalab/edigeo-parser/lib/parse/parse.js' {
  export interface EdigeoLineHeader {
    code: string;
    valueType: string;
    valueFormat: string;
    valueSize: number;
  }
  export function extractHeader(line: string): EdigeoLineHeader;
  export function parseValue(header: EdigeoLineHeader, rawValue: string): unknown;
}

declare module '@etalab/edigeo-parser/lib/parse/types/fea.js' {
  /** A description block (FEA, LNK, PNO, PAR, PFE, GEO, QUP). */
  export interface EdigeoBlock {
    id?: string;
    setId(id: string): void;
    addLine(line: import('@etalab/edigeo-parser/lib/parse/parse.js').EdigeoLineHeader & { rawValue: string; parsedValue: unknown }): void;
  }
  const Block: new () => EdigeoBlock;
  export default Block;
}
declare module '@etalab/edigeo-parser/lib/parse/types/geo.js' {
  const Block: new () => import('@etalab/edigeo-parser/lib/parse/types/fea.js').EdigeoBlock;
  export default Block;
}
declare module '@etalab/edigeo-parser/lib/parse/types/lnk.js' {
  const Block: new () => import('@etalab/edigeo-parser/lib/parse/types/fea.js').EdigeoBlock;
  export default Block;
}
declare module '@etalab/edigeo-parser/lib/parse/types/par.js' {
  const Block: new () => import('@etalab/edigeo-parser/lib/parse/types/fea.js').EdigeoBlock;
  export default Block;
}
declare module '@etalab/edigeo-parser/lib/parse/types/pfe.js' {
  const Block: new () => import('@etalab/edigeo-parser/lib/parse/types/fea.js').EdigeoBlock;
  export default Block;
}
declare module '@etalab/edigeo-parser/lib/parse/types/pno.js' {
  const Block: new () => import('@etalab/edigeo-parser/lib/parse/types/fea.js').EdigeoBlock;
  export default Block;
}
declare module '@etalab/edigeo-parser/lib/parse/types/qup.js' {
  const Block: new () => import('@etalab/edigeo-parser/lib/parse/types/fea.js').EdigeoBlock;
  export default Block;
}

declare module '@etalab/edigeo-parser/lib/model/index.js' {
  export interface EdigeoFeaBlock {
    id: string;
    fullId: string;
    featureType?: string;
    attributes: Record<string, unknown>;
    qup?: string;
  }
  export interface EdigeoModel {
    srsCode: string;
    getItems(type: 'FEA'): EdigeoFeaBlock[];
    getItems(type: string): unknown[];
  }
  export function createModel(options: { indexedItems: Record<string, unknown>; bundle?: string; overrideSrsCode?: string }): EdigeoModel;
}

declare module '@etalab/edigeo-parser/lib/assemble/geometry/index.js' {
  export function buildGeometry(
    geometryType: string,
    fea: import('@etalab/edigeo-parser/lib/model/index.js').EdigeoFeaBlock,
    ctx: import('@etalab/edigeo-parser/lib/model/index.js').EdigeoModel
  ): import('geojson').Geometry;
}

declare module '@etalab/edigeo-parser/lib/assemble/properties/index.js' {
  export function buildProperties(
    fea: import('@etalab/edigeo-parser/lib/model/index.js').EdigeoFeaBlock,
    ctx: import('@etalab/edigeo-parser/lib/model/index.js').EdigeoModel
  ): Record<string, unknown>;
}

declare module '@etalab/edigeo-parser/lib/geometry/validate.js' {
  export function validate(geometry: import('geojson').Geometry): string[];
}

declare module '@etalab/edigeo-parser/lib/geometry/clean.js' {
  export function deintersect(geometry: import('geojson').Geometry, allowMulti?: boolean): import('geojson').Polygon | import('geojson').MultiPolygon;
}
