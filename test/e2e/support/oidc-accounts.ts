// The people at the two test providers (support/oidc-provider.ts). The login name typed at the provider is the
// subject (`sub`) of the ID token.

export interface ProviderAccount {
  issuer: 'ishoj' | 'vallensbaek';
  email: string;
  name: string;
  groups: string[];
  /** The provider issues this account's ID token with one second to live, and holds the answer back past it. */
  expiresIn1s?: boolean;
}

export const PROVIDER_CLIENT = { id: 'gruppeforlob-e2e', secret: 'e2e-client-secret-that-is-long-enough-0123456789' };

export const PROVIDER_ACCOUNTS: Record<string, ProviderAccount> = {
  'ida.ishoej': { issuer: 'ishoj', email: 'ida.raadgiver@ishoj.e2e', name: 'Ida Ishøj', groups: ['grp-alle-ansatte', 'grp-ishoj-raadgivere'] },
  'vera.vallensbaek': { issuer: 'vallensbaek', email: 'vera.raadgiver@vallensbaek.e2e', name: 'Vera Vallensbæk', groups: ['grp-vb-raadgivere'] },
  'lis.leder': { issuer: 'ishoj', email: 'lis.leder@ishoj.e2e', name: 'Lis Leder', groups: ['grp-familiecentret-ledere'] },
  'uffe.uden': { issuer: 'ishoj', email: 'uffe.uden@ishoj.e2e', name: 'Uffe Udengruppe', groups: ['grp-alle-ansatte'] },
  'lukas.lukket': { issuer: 'vallensbaek', email: 'lukas.lukket@vallensbaek.e2e', name: 'Lukas Lukket', groups: ['grp-vb-raadgivere'] },
  'udloebet': { issuer: 'ishoj', email: 'udloebet@ishoj.e2e', name: 'Ulla Udløbet', groups: ['grp-ishoj-raadgivere'], expiresIn1s: true },
  'tampered.state': { issuer: 'ishoj', email: 'state@ishoj.e2e', name: 'Tine Tilstand', groups: ['grp-ishoj-raadgivere'] },
  'tampered.nonce': { issuer: 'ishoj', email: 'nonce@ishoj.e2e', name: 'Niels Nonce', groups: ['grp-ishoj-raadgivere'] },
  // Has a local account with a password already, and no mapped group: linked by e-mail all the same.
  'lone.lokal': { issuer: 'vallensbaek', email: 'lone.lokal@vallensbaek.e2e', name: 'Lone Lokal', groups: [] },
  // The route × role test's caseworker and leader, who also sign in through the Ishøj login (linked by e-mail).
  'routes.cw': { issuer: 'ishoj', email: 'cw@routes.e2e', name: 'Rasmus Rådgiver', groups: [] },
  'routes.leder': { issuer: 'ishoj', email: 'leder@routes.e2e', name: 'Lone Ledersen', groups: [] },
};
