/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** The signed-in staff member, or null. Set by the middleware. */
    user: import('./features/auth/auth').StaffUser | null;
    /** The current auth session id, or null. */
    sessionId: string | null;
    /** The client's address as the middleware saw it. */
    ip: string | null;
  }
}
