import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../../core/logger.ts';
import { areaKm2 } from '../../geo/measure.ts';
import { mirrorFile } from '../../testing/mirror.ts';
import { epciEptIdfAdapter } from './epci-ept-idf.ts';

describe('epciEptIdfAdapter', () => {
  it('reads the 63 EPCI/EPT, names from nomgroup, the four EPT of the 93 by SIREN', async () => {
    const batch = await epciEptIdfAdapter.read(mirrorFile(epciEptIdfAdapter.source.mirrorPath), { logger: memoryLogger() });
    expect(batch.features).toHaveLength(63);
    expect(batch.warnings).toEqual([]);
    const ept93 = batch.features.filter((f) => f.props.numdep === '93').map((f) => [f.code, f.name, f.props.naturjurid]);
    expect(ept93.sort()).toEqual([
      ['200057867', 'Plaine Commune (T6)', 'EPT'],
      ['200057875', 'Est ensemble (T8)', 'EPT'],
      ['200058097', "Paris Terres d'Envol (T7)", 'EPT'],
      ['200058790', 'Grand Paris - Grand Est (T9)', 'EPT']
    ]);
    // Our reprojected area against the producer's own Lambert-93 `st_areashape` (m²).
    const estEnsemble = batch.features.find((f) => f.code === '200057875')!;
    expect(areaKm2(estEnsemble.geometry)).toBeCloseTo(39.470866, 1);
  });
});
