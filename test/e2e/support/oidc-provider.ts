// Two real OpenID Connect providers (the `oidc-provider` package), started by the browser tests' global setup in
// their own process, standing for Ishøj's and Vallensbæk's logins. Each has a small sign-in page of its own (a user
// name and a button) and the accounts below; nothing in the site under test knows they are test providers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Provider } from 'oidc-provider';
import { PROVIDER_ACCOUNTS, PROVIDER_CLIENT, type ProviderAccount } from './oidc-accounts';

/** Seconds an ID token lives for the account marked `expiresIn1s`; its token answer is held back past the site's tolerance. */
const SHORT_ID_TOKEN_TTL_S = 1;
const HOLD_BACK_MS = 7_500;

export interface RunningProvider {
  name: string;
  issuer: string;
  close(): Promise<void>;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="da"><head><meta charset="utf-8"><title>${title}</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function accountOf(issuerName: string, login: string): ProviderAccount | null {
  const account = PROVIDER_ACCOUNTS[login];
  return account && account.issuer === issuerName ? account : null;
}

function readForm(req: import('node:http').IncomingMessage): Promise<URLSearchParams> {
  return new Promise((done, fail) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => done(new URLSearchParams(body)));
    req.on('error', fail);
  });
}

async function startOne(name: 'ishoj' | 'vallensbaek', label: string, siteBaseUrl: string): Promise<RunningProvider> {
  const server: Server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [{
      client_id: PROVIDER_CLIENT.id,
      client_secret: PROVIDER_CLIENT.secret,
      redirect_uris: [`${siteBaseUrl}/logind/kommune/${name}/retur`],
      post_logout_redirect_uris: [`${siteBaseUrl}/logind?logget-ud=1`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    cookies: {
      keys: [`e2e-${name}-cookie-key`],
      // Both providers sit on 127.0.0.1: cookies do not tell ports apart, so the names must.
      names: { session: `_${name}_session`, interaction: `_${name}_interaction`, resume: `_${name}_resume` },
    },
    // Like Entra ID with the groups claim turned on: groups (and the sign-in's amr/acr) come with every ID token.
    claims: { acr: null, amr: null, sid: null, auth_time: null, iss: null, openid: ['sub', 'groups', 'amr', 'acr'], email: ['email', 'email_verified'], profile: ['name'] },
    scopes: ['openid', 'email', 'profile'],
    // Like Entra ID: the groups (and e-mail, name) come in the ID token itself.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/laas/${interaction.uid}` },
    // The site is the municipality's own first-party app: no consent screen.
    async loadExistingGrant(ctx: any) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    async findAccount(_ctx: unknown, sub: string) {
      const account = accountOf(name, sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, email: account.email, email_verified: true, name: account.name, groups: account.groups };
        },
      };
    },
    ttl: {
      IdToken: (_ctx: unknown, token: { available?: { sub?: string } }) => {
        const sub = token.available?.sub;
        return sub && PROVIDER_ACCOUNTS[sub]?.expiresIn1s ? SHORT_ID_TOKEN_TTL_S : 3600;
      },
    },
    pkce: { required: () => true },
  });
  provider.on('server_error', (_ctx: unknown, error: Error) => console.error(`[${name} provider]`, error));

  // The expired-token case: the token answer for that account is held back until its ID token has run out.
  provider.use(async (ctx: any, next: () => Promise<void>) => {
    await next();
    if (ctx.path === '/token' && ctx.body && typeof ctx.body.id_token === 'string') {
      const payload = JSON.parse(Buffer.from(ctx.body.id_token.split('.')[1], 'base64url').toString()) as { sub?: string };
      if (payload.sub && PROVIDER_ACCOUNTS[payload.sub]?.expiresIn1s) await new Promise((r) => setTimeout(r, HOLD_BACK_MS));
    }
  });

  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const match = /^\/laas\/([\w-]+)$/.exec(url.pathname);
    if (!match) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'POST') {
        const form = await readForm(req);
        const login = form.get('login') ?? '';
        if (!accountOf(name, login)) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(page(`${label}: log ind`, `<p role="alert">Ukendt bruger.</p>`));
          return;
        }
        // The provider's own second factor: the site records amr/acr and asks for no code of its own.
        await provider.interactionFinished(req, res, { login: { accountId: login, amr: ['pwd', 'mfa'], acr: 'urn:e2e:mfa' } }, { mergeWithLastSubmission: false });
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page(`${label}: log ind`, `<form method="post" action="/laas/${escapeHtml(details.uid)}">
        <label for="login">Brugernavn</label> <input id="login" name="login" autocomplete="username">
        <button type="submit">Log ind hos ${escapeHtml(label)}</button></form>`));
    } catch (error) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(String(error));
    }
  });

  return {
    name,
    issuer,
    close: () => new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    }),
  };
}

/** Starts both providers; `env` is what the site needs to use them (the operator's configuration). */
export async function startProviders(siteBaseUrl: string): Promise<{ providers: RunningProvider[]; env: Record<string, string> }> {
  const ishoj = await startOne('ishoj', 'Ishøj Kommune', siteBaseUrl);
  const vallensbaek = await startOne('vallensbaek', 'Vallensbæk Kommune', siteBaseUrl);
  const env: Record<string, string> = { OIDC_PROVIDERS: 'ishoj,vallensbaek' };
  for (const [p, groups] of [
    [ishoj, 'grp-ishoj-raadgivere=caseworker;grp-familiecentret-ledere=leader'],
    [vallensbaek, 'grp-vb-raadgivere=caseworker'],
  ] as const) {
    const key = p.name.toUpperCase();
    env[`OIDC_${key}_ISSUER`] = p.issuer;
    env[`OIDC_${key}_CLIENT_ID`] = PROVIDER_CLIENT.id;
    env[`OIDC_${key}_CLIENT_SECRET`] = PROVIDER_CLIENT.secret;
    env[`OIDC_${key}_MUNICIPALITY`] = p.name;
    env[`OIDC_${key}_ROLE_CLAIM`] = 'groups';
    env[`OIDC_${key}_ROLE_MAP`] = groups;
  }
  return { providers: [ishoj, vallensbaek], env };
}
