/** OAuth scopes carried in the JWT `scope` claim; API Gateway checks them per route and handlers again. */
export const SCOPES = {
  viewer: 'livedrop/viewer',
  host: 'livedrop/host',
  checkout: 'livedrop/checkout',
  admin: 'livedrop/admin',
} as const;

export type Role = keyof typeof SCOPES;
export type Scope = (typeof SCOPES)[Role];

export const ALL_SCOPES: readonly Scope[] = Object.values(SCOPES);
