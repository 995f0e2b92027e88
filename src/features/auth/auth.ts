import type { Municipality, Role } from '../../lib/server/database';

export type { Role, Municipality };

/** The signed-in staff member as pages and services see them. */
export interface StaffUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  municipality: Municipality | null;
}

/** Who is doing something, for permission checks and the audit log. */
export interface Actor {
  user: StaffUser;
  ip: string | null;
}

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Koordinator (administrator)',
  leader: 'Gruppeleder',
  caseworker: 'Familierådgiver',
};

export const MUNICIPALITY_LABELS: Record<Municipality, string> = {
  ishoj: 'Ishøj',
  vallensbaek: 'Vallensbæk',
};
