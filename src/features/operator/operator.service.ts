import type { Kysely } from 'kysely';
import type { Database } from '../../lib/server/database';
import { migrateToLatest } from '../../lib/server/db';
import { ValidationError, type FieldErrors } from '../../lib/errors';
import { parseForm } from '../../lib/forms';
import { createUserSchema, parseSessionToken } from '../auth/auth';
import { bootstrapLinkOnBoot, completeSetup, createStaffUser, invalidateSession, type BootstrapOnBoot } from '../auth/auth.service';
import { loadDemoData } from '../demo/demo.service';
import type { DemoLoadResult } from '../demo/demo';
import { seedDefaultGroups } from '../groups/groups.service';
import { regenerateAllGroups } from '../schedule/schedule.service';

// What the operator's command line does, as services: the CLI only parses arguments and prints.

export interface BootReport {
  migrations: string[];
  groupsCreated: number;
  /** The first coordinator's link: new (print it), kept (printed by the boot at `madeAt`), or null. */
  bootstrap: BootstrapOnBoot;
}

/**
 * Run before the server starts: migrate, create the three groups on an empty database, keep every group planned
 * twelve months ahead, and hand out a one-time link while no coordinator exists.
 */
export async function bootApplication(db: Kysely<Database>, now: Date, options: { newLink?: boolean } = {}): Promise<BootReport> {
  const migrated = await migrateToLatest(db);
  const groupsCreated = await seedDefaultGroups(db, now);
  await regenerateAllGroups(db, now);
  const bootstrap = await bootstrapLinkOnBoot(db, now, options.newLink === true);
  return {
    migrations: (migrated.results ?? []).map((r) => r.migrationName),
    groupsCreated,
    bootstrap,
  };
}

export type AddUserResult =
  | { ok: true; email: string; role: string; setupPath: string | null }
  | { ok: false; errors: FieldErrors };

/** `user add`: with a password (from stdin) the account is ready at once; without, a one-time link is returned. */
export async function addUserFromOperator(
  db: Kysely<Database>,
  input: { email: string; role: string; name: string; municipality: string },
  password: string | null,
  now: Date,
): Promise<AddUserResult> {
  const parsed = parseForm(createUserSchema, input);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  try {
    // With a password the link is used here at once: no e-mail with a link that no longer works (issue 14).
    const { user, setupUrlPath } = await createStaffUser(db, { system: 'cli' }, parsed.data, now, { emailLink: password === null });
    if (password === null) return { ok: true, email: user.email, role: user.role, setupPath: setupUrlPath };
    const token = setupUrlPath.split('/').pop() ?? '';
    // Choosing the password through the one-time link signs in; the operator needs no session, so end it.
    const signedIn = await completeSetup(db, token, { password }, { ip: null, userAgent: 'cli' }, now);
    const session = parseSessionToken(signedIn.token);
    if (session) await invalidateSession(db, session.id);
    return { ok: true, email: user.email, role: user.role, setupPath: null };
  } catch (error) {
    if (error instanceof ValidationError) return { ok: false, errors: error.fields };
    throw error;
  }
}

export async function loadDemo(db: Kysely<Database>, now: Date): Promise<DemoLoadResult> {
  await seedDefaultGroups(db, now);
  const result = await loadDemoData(db, now);
  await regenerateAllGroups(db, now);
  return result;
}
