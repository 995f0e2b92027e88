/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** The signed-in staff member, or null. Set by the middleware. */
    user: import('./features/auth/auth').StaffUser | null;
    /** The current auth session id, or null. */
    sessionId: string | null;
    /**
     * A password-only session (the second factor not yet given): who it belongs to. Such a session does not set
     * `user`; it may only reach the /logind/totp* pages and /logud.
     */
    secondFactor: { user: import('./features/auth/auth').StaffUser; sessionId: string; hasTotpKey: boolean } | null;
    /**
     * Set by the project's HTTP server (src/server/http-server.ts) before Astro runs: the request id, and the route
     * pattern and user the server's log line names. Absent under `astro dev`.
     */
    edge?: { requestId: string; route: string | null; userId: string | null };
    /** The client's address as the server (or, under `astro dev`, the middleware) saw it. */
    ip: string | null;
    /**
     * Set by a page that may be shown again as rendered (lib/server/kept-pages.ts): the middleware keeps the bytes
     * of a 200 answer under `key` until `until`.
     */
    keepRendered: { key: string; until: Date } | null;
  }
}
