import type { Page } from 'playwright-core';

/**
 * From the site's sign-in page through a municipality's login and back, as a person does it: the button, the
 * provider's own page (user name), and back to the site. Returns the status of the site's answer to the return.
 */
export async function signInAtProvider(page: Page, municipality: 'Ishøj Kommune' | 'Vallensbæk Kommune', login: string): Promise<number | null> {
  await page.goto('/logind');
  await page.getByRole('link', { name: `Log ind med ${municipality}` }).click();
  await page.getByLabel('Brugernavn').fill(login);
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/retur'), { timeout: 30_000 }),
    page.getByRole('button', { name: `Log ind hos ${municipality}` }).click(),
  ]);
  await page.waitForLoadState();
  return response.status();
}
