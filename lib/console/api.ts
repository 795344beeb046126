/**
 * The console's only way to the API: JSON in and out, a Bearer token, and every failure turned into an
 * ApiError that carries the API's `{ error: { code, message, details } }` when there is one. API Gateway's
 * own refusals (401/403 from the JWT authorizer, 429 from throttling) come as `{ "message" }` without a code;
 * they are kept by status so the page can still say something useful.
 */
export interface ErrorBody {
  code?: string;
  message?: string;
  details?: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** 0 = the request never got an answer (offline, CORS refused, DNS). */
export const NETWORK_STATUS = 0;

// The page's view of the API is the API's own: the zod schemas' types (type-only, so nothing is bundled).
export type { DealView, PriceDropView } from '../../functions/shared/domain/schemas.js';

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Overrides the signed-in token (the simulated viewers carry their own). */
  token?: string;
}

export class ApiClient {
  constructor(
    /** '' = same origin (the local runtime); otherwise the HTTP API's URL without a trailing slash. */
    readonly baseUrl: string,
    private readonly currentToken: () => string | undefined,
  ) {}

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    const token = options.token ?? this.currentToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        cache: 'no-store',
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    } catch (error) {
      throw new ApiError(NETWORK_STATUS, undefined, (error as Error).message);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (response.ok) return parsed as T;
    const body = parsed as { error?: ErrorBody; message?: string } | undefined;
    const error = body?.error;
    throw new ApiError(
      response.status,
      error?.code,
      error?.message ?? body?.message ?? (text.slice(0, 200) || response.statusText),
      error?.details,
    );
  }
}

/** A token's claims, read without verifying them: only to greet and to refuse a wrong role early. */
const claimsOf = (token: string): { scope?: unknown; scp?: unknown; sub?: unknown } => {
  try {
    const payload = (token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/');
    const claims: unknown = JSON.parse(atob(payload));
    return claims !== null && typeof claims === 'object' ? claims : {};
  } catch {
    return {};
  }
};

/** The livedrop roles a token carries in `scope` or `scp`. */
export const rolesOf = (token: string): string[] => {
  const claims = claimsOf(token);
  return [claims.scope, claims.scp]
    .flatMap((value) => (typeof value === 'string' ? value.split(/\s+/) : Array.isArray(value) ? value : []))
    .filter((scope): scope is string => typeof scope === 'string' && scope.startsWith('livedrop/'))
    .map((scope) => scope.slice('livedrop/'.length));
};

export const subjectOf = (token: string): string | undefined => {
  const { sub } = claimsOf(token);
  return typeof sub === 'string' ? sub : undefined;
};
