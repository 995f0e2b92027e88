import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import { useForDescribe } from '../../support/database';
import { signIn, type Account } from './accounts';
import { axeViolations, launchBrowser, newPageAt } from './chromium';

export { launchBrowser } from './chromium';

export function baseURL(): string {
  return inject('baseURL');
}

/**
 * Chromium for the describe (or file) that calls it: launched before its first hook and test, closed after the last.
 * `const browser = useBrowser();` at the top of the describe; the value stands for the browser launched then (any use
 * of it before, at the describe's top level, throws).
 */
export function useBrowser(): Browser {
  const current = useForDescribe('The browser', launchBrowser, (browser) => browser.close());
  return new Proxy({} as Browser, {
    get(_target, name) {
      const browser = current();
      const value: unknown = Reflect.get(browser, name, browser);
      return typeof value === 'function' ? value.bind(browser) : value;
    },
  });
}

export interface PageOptions {
  phone?: boolean;
  javaScript?: boolean;
}

export function newPage(browser: Browser, options: PageOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  return newPageAt(browser, baseURL(), options);
}

/**
 * A tab of its own, signed in as the account (password and second factor, through the sign-in pages); then `at` the
 * path when given, its status 200 and the page checked with axe, as `visit` does. Close the context when done.
 */
export async function signedInPage(
  browser: Browser,
  account: Account,
  { at, ...options }: PageOptions & { at?: string } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const opened = await newPage(browser, options);
  await signIn(opened.page, account);
  if (at !== undefined) await visit(opened.page, at);
  return opened;
}

/**
 * Fills a form's fields as a person does, each field named by its id without the `f-` (the forms' field ids): text is
 * typed into an input or text area, a value is picked in a select, `true` ticks a box and `false` clears it.
 */
export async function fillForm(page: Page, fields: Record<string, string | boolean>): Promise<void> {
  for (const [name, value] of Object.entries(fields)) await fill(page.locator(`#f-${name}`), value);
}

/** As fillForm, each field found by its label (which a test then checks is there, and names the field). */
export async function fillByLabel(page: Page, fields: Record<string, string | boolean>): Promise<void> {
  for (const [label, value] of Object.entries(fields)) await fill(page.getByLabel(label), value);
}

async function fill(field: Locator, value: string | boolean): Promise<void> {
  if (typeof value === 'boolean') await field.setChecked(value);
  else if ((await field.and(field.page().locator('select')).count()) > 0) await field.selectOption(value);
  else await field.fill(value);
}

/** The Cookie header of a new signed-in session of the account, for requests made outside the browser. */
export async function signedInCookie(browser: Browser, account: Account): Promise<string> {
  const { context } = await signedInPage(browser, account);
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  await context.close();
  return cookie;
}

/** Runs axe on the page as it is now and fails with a readable list of WCAG 2.1 A/AA violations. */
export async function expectAccessible(page: Page): Promise<void> {
  expect(await axeViolations(page), `axe on ${page.url()}`).toEqual([]);
}

/** Goes to a path, expects the status, and checks the page with axe: every page a test visits is checked. */
export async function visit(page: Page, path: string, status = 200): Promise<void> {
  const response = await page.goto(path);
  expect(response?.status(), `status of ${path}`).toBe(status);
  await expectAccessible(page);
}
