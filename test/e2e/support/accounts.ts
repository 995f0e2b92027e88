import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP, generateTOTP } from '@oslojs/otp';
import type { Page } from 'playwright-core';
import { axeViolations, launchBrowser, newPageAt } from './chromium';

export interface Account {
  email: string;
  password: string;
  name: string;
}

/** Made in global setup through the one-time link `cli boot` printed, in the browser, as a new centre would. */
export const COORDINATOR: Account = { email: 'koordinator@e2e.test', password: 'lang-og-sikker-adgangskode-1', name: 'Karin Koordinator' };
/** Made in global setup with `cli user add` (password on stdin). */
export const LEADER: Account = { email: 'leder@e2e.test', password: 'gruppeleder-adgangskode-2', name: 'Lars Leder' };

export async function createFirstCoordinator(
  baseURL: string,
  bootstrapPath: string,
  run: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<void> {
  const browser = await launchBrowser();
  try {
    const { page } = await newPageAt(browser, baseURL);
    const response = await page.goto(bootstrapPath);
    if (response?.status() !== 200) throw new Error(`The one-time coordinator link answered ${response?.status()}`);
    const problems = await axeViolations(page);
    if (problems.length) throw new Error(`axe on the first-coordinator page:\n${problems.join('\n')}`);
    await page.getByLabel('Dit navn').fill(COORDINATOR.name);
    await page.getByLabel('Din e-mail').fill(COORDINATOR.email);
    await page.locator('#f-password').fill(COORDINATOR.password);
    await page.locator('#f-confirm').fill(COORDINATOR.password);
    await page.getByRole('button', { name: 'Opret og log ind' }).click();
    // The link gives a password-only session: the second factor is set up next, as at any first sign-in.
    await completeSecondFactor(page, COORDINATOR);
    if (new URL(page.url()).pathname !== '/personale/brugere') throw new Error(`After setup the coordinator landed on ${page.url()}`);
    // The link works once.
    const again = await page.goto(bootstrapPath);
    if (again?.status() === 200 && (await page.getByLabel('Dit navn').count()) > 0) {
      throw new Error('The one-time coordinator link still offers the form after it was used.');
    }
  } finally {
    await browser.close();
  }
  const tsx = join(run.cwd, 'node_modules/.bin/tsx');
  const add = spawnSync(
    tsx,
    ['scripts/cli.ts', 'user', 'add', '--email', LEADER.email, '--role', 'leader', '--name', LEADER.name],
    { ...run, input: `${LEADER.password}\n`, encoding: 'utf8' },
  );
  if (add.status !== 0) throw new Error(`cli user add failed:\n${add.stdout}\n${add.stderr}`);
}

/** TOTP keys this test process has seen on a setup page, by e-mail (the server's database is asked otherwise). */
const knownKeys = new Map<string, Uint8Array>();

/**
 * The key the server stored for an account (users.totp_key, sealed under the server's APP_SECRET, which the test
 * process shares: the same environment and folder), and the last time step a code was accepted for, read from the
 * server's own database.
 */
async function storedTotp(email: string): Promise<{ key: Uint8Array; lastStep: number | null }> {
  // Imported here, not at the top: global setup uses this file too, and it runs outside a Vitest worker.
  const { inject } = await import('vitest');
  const { openDatabase } = await import('../../../src/lib/server/db');
  const { open } = await import('../../../src/lib/server/secret-box');
  const handle = openDatabase(inject('databaseUrl'));
  try {
    const row = await handle.db.selectFrom('users').select(['totp_key', 'totp_last_step']).where('email', '=', email).executeTakeFirst();
    if (!row?.totp_key) throw new Error(`${email} has no TOTP key in the server's database.`);
    const key = open(row.totp_key);
    if (!key) throw new Error(`${email}'s TOTP key does not open with this process's APP_SECRET.`);
    return { key, lastStep: row.totp_last_step === null ? null : Number(row.totp_last_step) };
  } finally {
    await handle.close();
  }
}

/** The code an authenticator app would show now for this key. */
export function totpCodeNow(key: Uint8Array): string {
  return generateTOTP(key, 30, 6);
}

/**
 * The code the app will show in the next half minute, which the server also takes (one step of grace). A code is
 * accepted once: right after a setup with this step's code, a sign-in types the next one.
 */
export function totpCodeNext(key: Uint8Array): string {
  return generateHOTP(key, BigInt(Math.floor(Date.now() / 30_000) + 1), 6);
}

/**
 * A code the server will take: each code is accepted once, so when this step's code was used already (tests sign
 * the same account in many times a minute) the next step's code is typed, which the server also accepts. When that
 * was used too, the account's last used step is moved back in the server's database instead of waiting half a
 * minute for the clock (the replay rule itself is tested in test/integration/twofactor.test.ts).
 */
async function unusedCode(email: string, key: Uint8Array, lastStep: number | null): Promise<string> {
  const step = Math.floor(Date.now() / 30_000);
  const pick = Math.max(step, (lastStep ?? -1) + 1);
  if (pick <= step + 1) return generateHOTP(key, BigInt(pick), 6);
  const { inject } = await import('vitest');
  const { openDatabase } = await import('../../../src/lib/server/db');
  const handle = openDatabase(inject('databaseUrl'));
  try {
    await handle.db.updateTable('users').set({ totp_last_step: null }).where('email', '=', email).execute();
  } finally {
    await handle.close();
  }
  return generateHOTP(key, BigInt(step), 6);
}

/** Reads the key shown for manual entry on the setup page. */
export async function keyOnSetupPage(page: Page): Promise<Uint8Array> {
  const text = await page.locator('#totp-key').innerText();
  return decodeBase32IgnorePadding(text.replace(/\s/g, '').toUpperCase());
}

/**
 * After a correct password: the second factor as a person with an authenticator app gives it. An account without a
 * key goes through setup (the key is read off the page, the recovery codes page is passed); an account with one types
 * the current code. Ends on the staff page the sign-in was going to.
 */
export async function completeSecondFactor(page: Page, account: Account): Promise<void> {
  await page.waitForURL((url) => url.pathname.startsWith('/logind/totp'));
  if (new URL(page.url()).pathname === '/logind/totp-opsaetning') {
    const key = await keyOnSetupPage(page);
    knownKeys.set(account.email, key);
    await page.locator('#f-code').fill(totpCodeNow(key));
    await page.getByRole('button', { name: 'Bekræft' }).click();
    await page.getByRole('link', { name: 'Jeg har gemt koderne. Fortsæt' }).click();
  } else {
    const stored = await storedTotp(account.email);
    await page.locator('#f-code').fill(await unusedCode(account.email, knownKeys.get(account.email) ?? stored.key, stored.lastStep));
    await page.getByRole('button', { name: 'Log ind' }).click();
  }
  await page.waitForURL((url) => url.pathname.startsWith('/personale'));
}

/** Signs in with e-mail, password and the second factor (set up on the way if the account has none yet). */
export async function signIn(page: Page, account: Account): Promise<void> {
  await page.goto('/logind');
  await page.locator('#f-email').fill(account.email);
  await page.locator('#f-password').fill(account.password);
  await page.getByRole('button', { name: 'Log ind' }).click();
  await completeSecondFactor(page, account);
}

/** Forgets a key this process saw (after an coordinator reset the account's second factor). */
export function forgetTotpKey(email: string): void {
  knownKeys.delete(email);
}

/**
 * Another staff account for a browser test, made with `cli user add` against the test server's database.
 * Use an e-mail of your own per test file so files don't collide.
 */
export function addAccount(
  databaseUrl: string,
  account: Account,
  role: 'coordinator' | 'leader' | 'caseworker',
  municipality: 'ishoj' | 'vallensbaek' | null = null,
): void {
  const root = join(import.meta.dirname, '../../..');
  const args = ['scripts/cli.ts', 'user', 'add', '--email', account.email, '--role', role, '--name', account.name];
  if (municipality) args.push('--municipality', municipality);
  const add = spawnSync(join(root, 'node_modules/.bin/tsx'), args, {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    input: `${account.password}\n`,
    encoding: 'utf8',
  });
  if (add.status !== 0) throw new Error(`cli user add failed:\n${add.stdout}\n${add.stderr}`);
}
