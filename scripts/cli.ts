// The operator's command line: `npm run cli -- <command>`. Same DATABASE_URL rules as the server.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { getDatabaseHandle, migrateToLatest, withBootLock, type DatabaseHandle } from '../src/lib/server/db';
import { describeDemoResult } from '../src/features/demo/demo';
import { addUserFromOperator, bootApplication, loadDemo } from '../src/features/operator/operator.service';
import { describePurge, purgeExpiredData } from '../src/features/retention/retention.service';
import { restoreSqliteFile } from '../src/lib/server/sqlite-restore';
import { resealTotpKeys } from '../src/features/twofactor/twofactor.service';
import { resealFamilyLinks } from '../src/features/families/families.service';

const HELP = `Gruppeforløb – driftskommandoer (operator commands)

  npm run cli -- migrate                       kør databasemigreringer (run migrations)
  npm run cli -- boot [--new-link]             migreringer, standardgrupper, engangslink til første koordinator
  npm run cli -- user add --email E --role R [--name N] [--municipality ishoj|vallensbaek]
                                               opret medarbejder; adgangskode fra stdin, ellers et engangslink
  npm run cli -- demo                          indlæs demodata (three groups, ~30 children, a year of sessions)
  npm run cli -- backup FILE                   online-backup til FILE (SQLite; PostgreSQL med pg_dump)
  npm run cli -- restore FILE [--force]        læg en backup på plads (stop serveren først; PostgreSQL: pg_restore, kræver --force)
  npm run cli -- purge [--apply]               slet børn, hvis opbevaringsperiode er udløbet (uden --apply: vis kun)
  npm run cli -- reencrypt                     kryptér to-faktor-nøgler og familielinks igen med APP_SECRET (efter skift af hemmelighed)

Database: DATABASE_URL (unset: db/data/app.sqlite; a file path or file: URL; postgres://…).`;

function siteOrigin(): string {
  const host = process.env['HOST'] ?? 'localhost';
  const port = process.env['PORT'] ?? '4321';
  return process.env['PUBLIC_ORIGIN'] ?? `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
}

async function readStdin(): Promise<string | null> {
  if (process.stdin.isTTY) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  return text === '' ? null : text;
}

async function run(handle: DatabaseHandle, argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const now = new Date();
  switch (command) {
    case 'migrate': {
      const result = await migrateToLatest(handle.db);
      const names = (result.results ?? []).map((r) => r.migrationName);
      console.log(names.length ? `Migreret: ${names.join(', ')}` : 'Databasen er allerede opdateret.');
      return 0;
    }
    case 'boot': {
      const { values } = parseArgs({ args: rest, options: { 'new-link': { type: 'boolean' } } });
      const report = await withBootLock(handle, () => bootApplication(handle.db, now, { newLink: values['new-link'] === true }));
      if (report.migrations.length) console.log(`Migreret: ${report.migrations.join(', ')}`);
      if (report.groupsCreated) console.log(`Oprettede ${report.groupsCreated} standardgrupper med møder 12 måneder frem.`);
      if (report.bootstrap?.kind === 'new') {
        console.log('\nDer er endnu ingen koordinator. Opret den første her (linket virker én gang, i 24 timer):');
        console.log(`  ${siteOrigin()}${report.bootstrap.path}\n`);
      } else if (report.bootstrap?.kind === 'kept') {
        const madeAt = report.bootstrap.madeAt.toLocaleTimeString('da-DK', { timeZone: 'Europe/Copenhagen', hour: '2-digit', minute: '2-digit' });
        console.log(`\nDer er endnu ingen koordinator. Brug engangslinket, som blev skrevet kl. ${madeAt} (af en start lige før denne).`);
        console.log('Er det væk, så start igen om 10 minutter, eller kør: npm run cli -- boot --new-link\n');
      }
      return 0;
    }
    case 'user': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          email: { type: 'string' },
          role: { type: 'string' },
          name: { type: 'string' },
          municipality: { type: 'string' },
        },
      });
      if (positionals[0] !== 'add' || !values.email || !values.role) {
        console.error('Brug: npm run cli -- user add --email E --role coordinator|leader|caseworker [--name N] [--municipality M]');
        return 2;
      }
      const password = await readStdin();
      const result = await addUserFromOperator(
        handle.db,
        {
          email: values.email,
          role: values.role,
          name: values.name ?? values.email.split('@')[0] ?? values.email,
          municipality: values.municipality ?? '',
        },
        password,
        now,
      );
      if (!result.ok) {
        for (const [field, message] of Object.entries(result.errors)) console.error(`${field}: ${message}`);
        return 1;
      }
      console.log(`Oprettet: ${result.email} (${result.role}).`);
      if (result.setupPath) console.log(`Engangslink til at vælge adgangskode (7 dage):\n  ${siteOrigin()}${result.setupPath}`);
      else console.log('Adgangskoden fra stdin er gemt.');
      return 0;
    }
    case 'demo': {
      console.log(describeDemoResult(await loadDemo(handle.db, now)));
      return 0;
    }
    case 'backup': {
      const file = rest[0];
      if (!file) {
        console.error('Brug: npm run cli -- backup FILE');
        return 2;
      }
      const target = resolve(file);
      if (existsSync(target)) {
        console.error(`${target} findes allerede; vælg et nyt filnavn.`);
        return 1;
      }
      if (handle.target.kind === 'postgres') {
        // pg_dump's own format: compressed, and pg_restore can put it back table by table.
        const started = Date.now();
        const dump = spawnSync('pg_dump', ['--format=custom', `--file=${target}`, handle.target.url], { stdio: ['ignore', 'inherit', 'inherit'] });
        if (dump.error || dump.status !== 0) {
          console.error(dump.error ? `pg_dump kunne ikke starte (${dump.error.message}): installér postgresql-client.` : 'pg_dump fejlede.');
          return 1;
        }
        console.log(`Backup skrevet til ${target} med pg_dump (${Date.now() - started} ms).`);
        return 0;
      }
      if (!handle.sqlite) {
        console.error('backup virker på en SQLite-fil eller PostgreSQL.');
        return 1;
      }
      const started = Date.now();
      const meta = await handle.sqlite.backup(target);
      console.log(`Backup skrevet til ${target} (${meta.totalPages} sider, ${Date.now() - started} ms).`);
      return 0;
    }
    case 'restore': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { force: { type: 'boolean' } } });
      const file = positionals[0];
      if (!file) {
        console.error('Brug: npm run cli -- restore FILE [--force]');
        return 2;
      }
      if (handle.target.kind === 'postgres') {
        if (values.force !== true) {
          console.error('restore erstatter alt i databasen. Stop begge servere, og kør igen med --force.');
          return 1;
        }
        await handle.close();
        const restore = spawnSync('pg_restore', ['--clean', '--if-exists', '--no-owner', `--dbname=${handle.target.url}`, resolve(file)], { stdio: ['ignore', 'inherit', 'inherit'] });
        if (restore.error || restore.status !== 0) {
          console.error(restore.error ? `pg_restore kunne ikke starte (${restore.error.message}).` : 'pg_restore fejlede.');
          return 1;
        }
        console.log(`Gendannet fra ${resolve(file)}. Start serverne igen.`);
        return 0;
      }
      if (handle.target.kind !== 'sqlite' || handle.target.file === ':memory:') {
        console.error('restore virker på en SQLite-fil eller PostgreSQL.');
        return 1;
      }
      console.log('Serveren skal være stoppet under gendannelsen, ellers skriver den videre i den gamle fil.');
      // Our own connection must be closed too before the file is replaced.
      await handle.close();
      const outcome = restoreSqliteFile(handle.target.file, resolve(file), { force: values.force === true });
      if (!outcome.ok) {
        console.error(outcome.message);
        return 1;
      }
      const summary = Object.entries(outcome.rows).map(([table, n]) => `${table} ${n}`).join(', ');
      console.log(`Gendannet ${handle.target.file} fra ${resolve(file)}.\nRækker: ${summary}\nStart serveren igen.`);
      return 0;
    }
    case 'reencrypt': {
      const count = await resealTotpKeys(handle.db);
      console.log(`${count} to-faktor-nøgler er krypteret igen med den nuværende APP_SECRET.`);
      const links = await resealFamilyLinks(handle.db);
      console.log(`${links} familielinks er krypteret igen med den nuværende APP_SECRET.`);
      return 0;
    }
    case 'purge': {
      const { values } = parseArgs({ args: rest, options: { apply: { type: 'boolean' } } });
      const report = await purgeExpiredData(handle.db, { system: 'cli' }, { apply: values.apply === true }, now);
      console.log(describePurge(report));
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
      console.log(HELP);
      return 0;
    default:
      console.error(`Ukendt kommando: ${command}\n\n${HELP}`);
      return 2;
  }
}

const handle = getDatabaseHandle();
let code = 1;
try {
  code = await run(handle, process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  code = 1;
} finally {
  await handle.close();
}
process.exit(code);
