import type { PortraitIndicator } from '../types';

/** A chart of a portrait section, made only of indicators of the portrait. */
export interface ChartSpec {
  id: string;
  title: string;
  /** 'composition': shares of a whole per territory (stacked); 'bars': the territory's values; 'comparison': one bar per comparison territory. */
  type: 'composition' | 'bars' | 'comparison' | 'deciles';
  /** Indicator ids, each one bar or one part. */
  parts: { id: string; label: string }[];
  note?: string;
}

export interface SectionSpec {
  theme: string;
  title: string;
  /** Key figures, in order; the first available ones are shown as cards. */
  keys: string[];
  charts: ChartSpec[];
}

export const SECTIONS: readonly SectionSpec[] = [
  {
    theme: 'population',
    title: 'Population',
    keys: ['population-municipale', 'evolution-population', 'part-15-64-ans', 'naissances-domiciliees', 'deces-domicilies'],
    charts: [
      {
        id: 'structure-age-enfants',
        title: 'Enfants couverts par la CAF selon l’âge',
        type: 'bars',
        parts: [
          { id: 'enfants-couverts-caf-0-2-ans', label: 'Moins de 3 ans' },
          { id: 'enfants-couverts-caf-3-5-ans', label: '3 à 5 ans' },
          { id: 'enfants-couverts-caf-6-10-ans', label: '6 à 10 ans' },
          { id: 'enfants-couverts-caf-11-14-ans', label: '11 à 14 ans' },
          { id: 'enfants-couverts-caf-15-17-ans', label: '15 à 17 ans' },
          { id: 'enfants-couverts-caf-18-24-ans', label: '18 à 24 ans' }
        ],
        note: 'Structure par âge des enfants à charge des foyers allocataires : la seule ventilation par âge publiée à ce niveau.'
      }
    ]
  },
  {
    theme: 'menages',
    title: 'Ménages',
    keys: ['menages', 'taille-moyenne-menages', 'part-menages-emmenages-moins-2-ans', 'part-menages-une-voiture-ou-plus'],
    charts: [
      {
        id: 'anciennete-emmenagement',
        title: 'Ancienneté d’emménagement des ménages',
        type: 'comparison',
        parts: [
          { id: 'part-menages-emmenages-moins-2-ans', label: 'Depuis moins de 2 ans' },
          { id: 'part-menages-emmenages-10-ans-plus', label: 'Depuis 10 ans ou plus' }
        ]
      }
    ]
  },
  {
    theme: 'logement',
    title: 'Logement',
    keys: ['logements', 'part-logements-sociaux', 'part-proprietaires', 'taux-vacance', 'part-rp-suroccupees'],
    charts: [
      {
        id: 'statut-occupation',
        title: 'Statut d’occupation des résidences principales',
        type: 'composition',
        parts: [
          { id: 'part-proprietaires', label: 'Propriétaires' },
          { id: 'part-locataires', label: 'Locataires' },
          { id: 'part-loges-gratuitement', label: 'Logés gratuitement' }
        ]
      }
    ]
  },
  {
    theme: 'emploi',
    title: 'Emploi',
    keys: ['taux-chomage', 'taux-activite', 'emplois-au-lieu-de-travail', 'emplois-pour-100-habitants-15-64-ans'],
    charts: [
      {
        id: 'activite-chomage',
        title: 'Activité et chômage des 15-64 ans',
        type: 'comparison',
        parts: [
          { id: 'taux-activite', label: 'Taux d’activité' },
          { id: 'taux-chomage', label: 'Taux de chômage' }
        ]
      }
    ]
  },
  {
    theme: 'revenus',
    title: 'Revenus et pauvreté',
    keys: ['revenu-disponible-median-uc', 'taux-pauvrete', 'part-menages-fiscaux-imposes', 'rapport-interdecile', 'indice-gini'],
    charts: [
      {
        id: 'deciles',
        title: 'Distribution du niveau de vie (déciles)',
        type: 'deciles',
        parts: [
          { id: 'decile-1-revenu-disponible-uc', label: 'D1' },
          { id: 'decile-2-revenu-disponible-uc', label: 'D2' },
          { id: 'decile-3-revenu-disponible-uc', label: 'D3' },
          { id: 'decile-4-revenu-disponible-uc', label: 'D4' },
          { id: 'revenu-disponible-median-uc', label: 'Médiane' },
          { id: 'decile-6-revenu-disponible-uc', label: 'D6' },
          { id: 'decile-7-revenu-disponible-uc', label: 'D7' },
          { id: 'decile-8-revenu-disponible-uc', label: 'D8' },
          { id: 'decile-9-revenu-disponible-uc', label: 'D9' }
        ],
        note: 'Niveau de vie annuel par unité de consommation : 10 % des personnes ont moins que D1, 90 % moins que D9.'
      },
      {
        id: 'composition-revenu',
        title: 'Composition du revenu disponible',
        type: 'bars',
        parts: [
          { id: 'part-salaires-traitements', label: 'Salaires et traitements' },
          { id: 'part-revenus-non-salaries', label: 'Revenus non salariés' },
          { id: 'part-indemnites-chomage', label: 'Indemnités de chômage' },
          { id: 'part-pensions-retraites', label: 'Pensions et retraites' },
          { id: 'part-revenus-patrimoine', label: 'Revenus du patrimoine' },
          { id: 'part-prestations-sociales', label: 'Prestations sociales' },
          { id: 'part-impots', label: 'Impôts (négatif)' }
        ]
      }
    ]
  },
  {
    theme: 'prestations',
    title: 'Prestations sociales',
    keys: ['allocataires-caf', 'part-allocataires-rsa', 'part-allocataires-aide-logement', 'part-familles-monoparentales-allocataires'],
    charts: [
      {
        id: 'composition-allocataires',
        title: 'Composition des foyers allocataires de la CAF',
        type: 'composition',
        parts: [
          { id: 'allocataires-isoles', label: 'Isolés' },
          { id: 'allocataires-familles-monoparentales', label: 'Familles monoparentales' },
          { id: 'allocataires-couples-sans-enfant', label: 'Couples sans enfant' },
          { id: 'allocataires-couples-avec-enfants', label: 'Couples avec enfant(s)' }
        ],
        note: 'Parts calculées sur la somme des quatre types de foyers.'
      },
      {
        id: 'prestations-versees',
        title: 'Foyers allocataires par prestation',
        type: 'comparison',
        parts: [
          { id: 'part-allocataires-aide-logement', label: 'Aide au logement' },
          { id: 'part-allocataires-prime-activite', label: 'Prime d’activité' },
          { id: 'part-allocataires-rsa', label: 'RSA' },
          { id: 'part-allocataires-aah', label: 'AAH' }
        ]
      }
    ]
  },
  {
    theme: 'entreprises',
    title: 'Entreprises',
    keys: ['etablissements-actifs', 'part-etablissements-10-salaries-ou-plus', 'part-etablissements-commerce-transports-services'],
    charts: [
      {
        id: 'secteurs',
        title: 'Établissements actifs par secteur',
        type: 'composition',
        parts: [
          { id: 'etablissements-industrie', label: 'Industrie' },
          { id: 'etablissements-construction', label: 'Construction' },
          { id: 'etablissements-commerce-transports-services', label: 'Commerce, transports, services' },
          { id: 'etablissements-administration-enseignement-sante', label: 'Administration, enseignement, santé' },
          { id: 'etablissements-agriculture', label: 'Agriculture' }
        ]
      }
    ]
  },
  {
    theme: 'territoire',
    title: 'Territoire',
    keys: ['superficie', 'densite-population', 'densite-logements', 'densite-emplois'],
    charts: []
  }
];

export const MAX_KEY_FIGURES = 4;

/** A value worth showing as a figure: a number, or a status that says why there is none. */
export function hasNumber(i: Pick<PortraitIndicator, 'value'>): boolean {
  return i.value.value !== null;
}

/** Key figures of a section: the configured ones the portrait has a number for, then others of the theme. */
export function keyFigures(spec: SectionSpec, indicators: readonly PortraitIndicator[]): PortraitIndicator[] {
  const byId = new Map(indicators.map((i) => [i.id, i]));
  const chosen: PortraitIndicator[] = [];
  for (const id of spec.keys) {
    const i = byId.get(id);
    if (i && (hasNumber(i) || i.value.status === 'secret') && chosen.length < MAX_KEY_FIGURES) chosen.push(i);
  }
  if (chosen.length < MAX_KEY_FIGURES) {
    for (const i of indicators) {
      if (chosen.length >= MAX_KEY_FIGURES) break;
      if (i.theme === spec.theme && !chosen.includes(i) && hasNumber(i)) chosen.push(i);
    }
  }
  return chosen;
}
