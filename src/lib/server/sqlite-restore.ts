// Restoring an SQLite backup (made with `cli backup`) over the database file. File-level work on the SQLite
// connection library itself, beside db.ts; PostgreSQL is restored with pg_restore instead.
import { closeSync, copyFileSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';

/** Tables that hold what people entered; groups and meetings alone are what `cli boot` makes on a new database. */
const DATA_TABLES = ['users', 'children', 'guardians', 'referrals', 'enrollments', 'attendance', 'conversations', 'audit_log'];

export type RestoreOutcome =
  | { ok: true; rows: Record<string, number> }
  | { ok: false; reason: 'backup_missing' | 'backup_invalid' | 'target_has_data'; message: string };

function tableRowCounts(db: SqliteDatabase.Database): Record<string, number> {
  const tables = db
    .prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' order by name`)
    .all() as { name: string }[];
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const row = db.prepare(`select count(*) as n from "${name.replace(/"/g, '""')}"`).get() as { n: number };
    counts[name] = Number(row.n);
  }
  return counts;
}

function checkBackup(file: string): string | null {
  let db: SqliteDatabase.Database | null = null;
  try {
    db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
    const check = db.pragma('integrity_check') as { integrity_check: string }[];
    if (check.length !== 1 || check[0]?.integrity_check !== 'ok') return 'Backup-filen er beskadiget (integrity_check fejlede).';
    const hasUsers = db.prepare(`select 1 from sqlite_master where type = 'table' and name = 'users'`).get();
    if (!hasUsers) return 'Filen er ikke en backup af Gruppeforløb (der er ingen tabel med medarbejdere).';
    return null;
  } catch (error) {
    return `Filen kan ikke læses som en SQLite-database: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    db?.close();
  }
}

/** Rows in the target's data tables; 0 for a missing or empty file. */
export function countTargetData(file: string): number {
  if (!existsSync(file) || statSync(file).size === 0) return 0;
  const db = new SqliteDatabase(file, { fileMustExist: true });
  try {
    const counts = tableRowCounts(db);
    return DATA_TABLES.reduce((sum, t) => sum + (counts[t] ?? 0), 0);
  } finally {
    db.close();
  }
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Puts `backupFile` in place of `targetFile`. The server must be stopped: a running process would keep writing to
 * the old file's WAL. Refuses a target that holds data unless `force`. The copy goes to a temporary file beside the
 * target, is flushed to disk, and is renamed over the target (atomic on one file system), so a crash leaves either
 * the old or the new database, never half of one. The old -wal and -shm files are removed first: SQLite would
 * otherwise replay the old database's WAL onto the restored file.
 */
export function restoreSqliteFile(targetFile: string, backupFile: string, options: { force: boolean }): RestoreOutcome {
  if (!existsSync(backupFile)) return { ok: false, reason: 'backup_missing', message: `Backup-filen ${backupFile} findes ikke.` };
  const problem = checkBackup(backupFile);
  if (problem) return { ok: false, reason: 'backup_invalid', message: problem };
  const existing = countTargetData(targetFile);
  if (existing > 0 && !options.force) {
    return {
      ok: false,
      reason: 'target_has_data',
      message: `Databasen ${targetFile} indeholder allerede data (${existing} rækker). Brug --force for at erstatte den.`,
    };
  }
  const temporary = `${targetFile}.restore-${process.pid}`;
  copyFileSync(backupFile, temporary);
  fsyncPath(temporary);
  rmSync(`${targetFile}-wal`, { force: true });
  rmSync(`${targetFile}-shm`, { force: true });
  renameSync(temporary, targetFile);
  fsyncPath(dirname(targetFile));

  const restored = new SqliteDatabase(targetFile, { fileMustExist: true });
  try {
    restored.pragma('journal_mode = WAL');
    return { ok: true, rows: tableRowCounts(restored) };
  } finally {
    restored.close();
  }
}
