import type { GeoAdapter, ValueAdapter } from '../core/types.ts';
import { logementsVacantsAdapter } from './anct/logements-vacants.ts';
import { qpv2015Adapter } from './anct-qpv/qpv-2015.ts';
import { cafAllocatairesIrisAdapter } from './caf/allocataires-iris.ts';
import { communesIdfAdapter } from './ign/communes-idf.ts';
import { contoursIrisAdapter } from './ign/contours-iris.ts';
import { comparateurTerritoiresAdapter } from './insee/comparateur-territoires.ts';
import { filosofiBondy2013Adapter, filosofiBondy2019Adapter } from './insee/filosofi-bondy.ts';
import { filosofiIrisAdapter } from './insee/filosofi-iris.ts';
import { populationsLegalesAdapter } from './insee/populations-legales.ts';
import { rpIrisLogementAdapter } from './insee/rp-iris-logement.ts';

/** Every tabular dataset of a build, in load order. */
export const VALUE_ADAPTERS: ValueAdapter[] = [
  comparateurTerritoiresAdapter,
  populationsLegalesAdapter,
  filosofiIrisAdapter,
  filosofiBondy2013Adapter,
  filosofiBondy2019Adapter,
  rpIrisLogementAdapter,
  logementsVacantsAdapter,
  cafAllocatairesIrisAdapter
];

/** The geometry layers a build needs, by role. */
export interface GeoAdapters {
  communes: GeoAdapter;
  iris: GeoAdapter;
  qpv: GeoAdapter;
}

export const GEO_ADAPTERS: GeoAdapters = {
  communes: communesIdfAdapter,
  iris: contoursIrisAdapter,
  qpv: qpv2015Adapter
};
