import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import { axeViolations, newPageAt } from './chromium';

export { launchBrowser } from './chromium';

export function baseURL(): string {
  return inject('baseURL');
}

export function newPage(
  browser: Browser,
  options: { phone?: boolean; javaScript?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  return newPageAt(browser, baseURL(), options);
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
