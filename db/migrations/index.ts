import type { Migration } from 'kysely/migration';
import * as domain from './2026-11-23T0900_domain';

// Listed by hand so the migrations are bundled into the built server (no directory scan at run time).
// Names sort in the order they run.
export const migrations: Record<string, Migration> = {
  '2026-11-23T0900_domain': domain,
};
