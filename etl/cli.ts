import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { EnvironmentError, InputError, ValidationError } from './core/errors.ts';
import { consoleLogger } from './core/logger.ts';
import { repoRoot } from './core/paths.ts';
import { mirrorFromArgs } from './fetch/locate.ts';
import { terminalProgress } from './fetch/progress.ts';
import { buildStore, currentBuildPath } from './build/store.ts';
import { parseZoningCsv } from './build/zonings.ts';
import { loadCog } from './sources/cog/decoupage-administratif.ts';
import { runBuild } from './pipeline.ts';
import { isProfileId, PROFILES, profileInService } from './build/profiles.ts';

const USAGE = `Usage :
  npm run etl [-- --mirror DIR] [--data-dir DIR] [--offline] [--keep N] [--profile departement|national]
      Construit data/observatoire.duckdb depuis les fichiers des producteurs
      (téléchargés dans data/cache/, ou lus dans le miroir DIR / OBS_MIRROR=DIR).
      --profile national : toutes les communes de France (hors Mayotte), chaque IRIS des
      sources nationales, les EPCI et la France ; departement : le portail du 93. Par défaut,
      le profil de la base en service (departement s'il n'y en a pas).
  npm run zoning -- add FICHIER.csv --id ID --label "Libellé" [--example] [--no-build]
      Ajoute un zonage (CSV commune;groupe;nom du groupe) et reconstruit la base.
      Jeux publiés depuis le portail : DATA_DIR/published (--published DIR, répétable,
      remplace ce défaut ; --exclude indicateur/année en retire un ; --exclude-zoning ID un zonage). --preview-output FICHIER
      écrit la base validée dans FICHIER sans la mettre en service (aperçu d'un brouillon) ;
      --no-cadastre construit sans cadastre ni DVF.
  npm run etl -- status
      Affiche la base en service.`;

async function main(argv: string[]): Promise<number> {
  const [command = 'build', ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      mirror: { type: 'string' },
      'data-dir': { type: 'string' },
      'cache-dir': { type: 'string' },
      offline: { type: 'boolean', default: false },
      keep: { type: 'string' },
      id: { type: 'string' },
      label: { type: 'string' },
      description: { type: 'string' },
      example: { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      published: { type: 'string', multiple: true },
      exclude: { type: 'string', multiple: true },
      'exclude-zoning': { type: 'string', multiple: true },
      'preview-output': { type: 'string' },
      'no-cadastre': { type: 'boolean', default: false },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false }
    }
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const dataDir = resolve(values['data-dir'] ?? join(repoRoot, 'data'));
  const profile = values.profile ?? (command === 'status' ? 'departement' : ((await inService(dataDir)) ?? 'departement'));
  if (!isProfileId(profile)) {
    console.error(`Profil inconnu : « ${profile} ». Profils : ${Object.keys(PROFILES).join(', ')}.\n\n${USAGE}`);
    return 2;
  }
  const build = async () => {
    const result = await runBuild({
      dataDir,
      mirror: mirrorFromArgs(values.mirror),
      cacheDir: values['cache-dir'] ? resolve(values['cache-dir']) : undefined,
      offline: values.offline,
      keepBuilds: values.keep ? Number(values.keep) : undefined,
      publishedDirs: values.published?.map((d) => resolve(d)),
      excludePublished: values.exclude,
      excludeZonings: values['exclude-zoning'],
      previewOutput: values['preview-output'] ? resolve(values['preview-output']) : undefined,
      cadastreSources: values['no-cadastre'] ? [] : undefined,
      profile,
      logger: consoleLogger,
      progress: terminalProgress({ stream: process.stderr })
    });
    console.log(
      `Construction ${result.id} : ${result.counts.territories} territoires, ${result.counts.indicators} indicateurs, ` +
        `${result.counts.indicatorValues} valeurs, ${result.warnings.length} avertissements (table load_report).`
    );
  };

  switch (command) {
    case 'build':
      await build();
      return 0;
    case 'status': {
      const path = currentBuildPath(buildStore(dataDir));
      const inUse = path ? await inService(dataDir) : null;
      console.log(path ? `Base en service : ${path}${inUse ? ` (profil ${inUse})` : ''}` : 'Aucune base construite : lancez npm run etl.');
      return path ? 0 : 1;
    }
    case 'zoning': {
      const [sub, file] = positionals;
      if (sub !== 'add' || !file || !values.id || !values.label) {
        console.error(USAGE);
        return 2;
      }
      const meta = {
        id: values.id,
        label: values.label,
        label_plural: values.label,
        description: values.description ?? '',
        example: values.example,
        published: true
      };
      // Validate before anything is written: unknown communes, duplicates, bad header.
      const { zoning, notes } = parseZoningCsv(file, readFileSync(file, 'utf8'), loadCog(), meta);
      for (const n of notes) console.log(n);
      const dir = join(repoRoot, 'data', 'zonings');
      mkdirSync(dir, { recursive: true });
      copyFileSync(file, join(dir, `${meta.id}.csv`));
      writeFileSync(join(dir, `${meta.id}.yaml`), stringify(meta));
      console.log(`Zonage ${meta.id} (${zoning.groups.size} groupes) ajouté depuis ${basename(file)}.`);
      if (!values['no-build']) await build();
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

/** The profile of the build in service; an unreadable build is no reason to refuse a rebuild. */
async function inService(dataDir: string): Promise<string | null> {
  try {
    return await profileInService(dataDir);
  } catch (e) {
    console.warn(`attention : profil de la base en service illisible (${e instanceof Error ? e.message : String(e)}) ; profil departement.`);
    return null;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof InputError || e instanceof EnvironmentError || e instanceof ValidationError) {
      console.error(`\n${e.message}\n\nLa base précédente, s'il y en a une, reste en service.`);
    } else {
      console.error(e);
    }
    process.exit(1);
  }
);
