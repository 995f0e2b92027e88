// Passkeys in the browser: adding one on /personale/adgangsnoegler and signing in with one on /logind. The server
// hands out the options and checks every answer; this module only carries them to the authenticator and back.
// Without JavaScript (or without WebAuthn) the buttons stay hidden and the password form is the way in.
import { browserSupportsWebAuthn, startAuthentication, startRegistration } from '@simplewebauthn/browser';

async function postJson(path: string, body: unknown): Promise<{ ok: boolean; data: Record<string, unknown> }> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify(body),
  });
  const data = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  return { ok: response.ok, data };
}

function showError(root: HTMLElement, message: string): void {
  const box = root.querySelector<HTMLElement>('[data-passkey-error]');
  if (!box) return;
  box.textContent = message;
  box.hidden = false;
}

function cancelled(error: unknown): boolean {
  return error instanceof Error && (error.name === 'NotAllowedError' || error.name === 'AbortError');
}

function setUp(root: HTMLElement, run: (root: HTMLElement) => Promise<void>): void {
  const button = root.querySelector<HTMLButtonElement>('[data-passkey-start]');
  if (!button || !browserSupportsWebAuthn()) return;
  root.querySelector<HTMLElement>('[data-passkey-nojs]')?.setAttribute('hidden', '');
  button.hidden = false;
  button.addEventListener('click', () => {
    if (button.disabled) return;
    button.disabled = true;
    root.querySelector<HTMLElement>('[data-passkey-error]')?.setAttribute('hidden', '');
    run(root)
      .catch((error: unknown) => showError(root, cancelled(error) ? 'Du afbrød. Prøv igen, når du er klar.' : 'Det lykkedes ikke. Prøv igen.'))
      .finally(() => {
        button.disabled = false;
      });
  });
}

async function register(root: HTMLElement): Promise<void> {
  const started = await postJson(root.dataset['options'] ?? '', {});
  if (!started.ok) return showError(root, String(started.data['error'] ?? 'Det lykkedes ikke. Prøv igen.'));
  const response = await startRegistration({ optionsJSON: started.data['options'] as Parameters<typeof startRegistration>[0]['optionsJSON'] });
  const name = root.querySelector<HTMLInputElement>('input[name="passkeyName"]')?.value ?? '';
  const saved = await postJson(root.dataset['save'] ?? '', { challengeId: started.data['challengeId'], response, name });
  if (!saved.ok) return showError(root, String(saved.data['error'] ?? 'Det lykkedes ikke. Prøv igen.'));
  window.location.assign(`${window.location.pathname}?gemt=tilfoejet`);
}

async function signIn(root: HTMLElement): Promise<void> {
  const started = await postJson(root.dataset['options'] ?? '', {});
  if (!started.ok) return showError(root, String(started.data['error'] ?? 'Det lykkedes ikke. Prøv igen.'));
  const response = await startAuthentication({ optionsJSON: started.data['options'] as Parameters<typeof startAuthentication>[0]['optionsJSON'] });
  const answered = await postJson(root.dataset['answer'] ?? '', { challengeId: started.data['challengeId'], response, next: root.dataset['next'] ?? '' });
  if (!answered.ok) return showError(root, String(answered.data['error'] ?? 'Det lykkedes ikke. Prøv igen.'));
  window.location.assign(String(answered.data['next'] ?? '/personale'));
}

for (const root of document.querySelectorAll<HTMLElement>('[data-passkey-register]')) setUp(root, register);
for (const root of document.querySelectorAll<HTMLElement>('[data-passkey-sign-in]')) setUp(root, signIn);
