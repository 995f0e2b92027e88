import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { axeViolations, launchBrowser, newPageAt } from './chromium';

export interface Account {
  email: string;
  password: string;
  name: string;
}

/** Made in global setup through the one-time link `cli boot` printed, in the browser, as a new centre would. */
export const ADMIN: Account = { email: 'koordinator@e2e.test', password: 'lang-og-sikker-adgangskode-1', name: 'Karin Koordinator' };
/** Made in global setup with `cli user add` (password on stdin). */
export const LEADER: Account = { email: 'leder@e2e.test', password: 'gruppeleder-adgangskode-2', name: 'Lars Leder' };

export async function createFirstAdmin(
  baseURL: string,
  bootstrapPath: string,
  run: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<void> {
  const browser = await launchBrowser();
  try {
    const { page } = await newPageAt(browser, baseURL);
    const response = await page.goto(bootstrapPath);
    if (response?.status() !== 200) throw new Error(`The one-time admin link answered ${response?.status()}`);
    const problems = await axeViolations(page);
    if (problems.length) throw new Error(`axe on the first-admin page:\n${problems.join('\n')}`);
    await page.getByLabel('Dit navn').fill(ADMIN.name);
    await page.getByLabel('Din e-mail').fill(ADMIN.email);
    await page.locator('#f-password').fill(ADMIN.password);
    await page.locator('#f-confirm').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Opret og log ind' }).click();
    await page.waitForURL(/\/personale/);
    // The link works once.
    const again = await page.goto(bootstrapPath);
    if (again?.status() === 200 && (await page.getByLabel('Dit navn').count()) > 0) {
      throw new Error('The one-time admin link still offers the form after it was used.');
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

export async function signIn(page: Page, account: Account): Promise<void> {
  await page.goto('/logind');
  await page.locator('#f-email').fill(account.email);
  await page.locator('#f-password').fill(account.password);
  await page.getByRole('button', { name: 'Log ind' }).click();
  await page.waitForURL(/\/personale/);
}

/**
 * Another staff account for a browser test, made with `cli user add` against the test server's database.
 * Use an e-mail of your own per test file so files don't collide.
 */
export function addAccount(
  databaseUrl: string,
  account: Account,
  role: 'admin' | 'leader' | 'caseworker',
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
