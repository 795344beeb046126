/// <reference lib="dom" />
/**
 * The viewer's sign-in: a token with the livedrop/viewer scope, kept in sessionStorage for this tab. Locally
 * the runtime's issuer signs one for a made-up viewer name (as the console signs a host's); deployed, the page
 * embedding the overlay posts the viewer's token to it, or the viewer pastes one.
 */
import { rolesOf, subjectOf } from '../console/api.js';

const TOKEN_KEY = 'livedrop.overlay.token';

export class Session {
  token: string | undefined;

  constructor(
    private readonly apiUrl: string,
    private readonly localIssuer: boolean,
  ) {}

  get viewer(): string | undefined {
    return this.token === undefined ? undefined : subjectOf(this.token);
  }

  /** Keeps a viewer token; throws when the token is not one. */
  use(token: string): void {
    const bare = token.replace(/^Bearer\s+/i, '').trim();
    if (!rolesOf(bare).includes('viewer'))
      throw new Error('This token does not carry the livedrop/viewer scope.');
    this.token = bare;
    sessionStorage.setItem(TOKEN_KEY, bare);
  }

  forget(): void {
    this.token = undefined;
    sessionStorage.removeItem(TOKEN_KEY);
  }

  /** The tab's token if it has one, else locally a new viewer; false when the viewer must sign in. */
  async resume(): Promise<boolean> {
    const saved = sessionStorage.getItem(TOKEN_KEY);
    if (saved) {
      try {
        this.use(saved);
        return true;
      } catch {
        this.forget();
      }
    }
    return this.localIssuer ? this.signInLocally() : false;
  }

  /** A new local viewer, `viewer-` and six random letters, signed by the local issuer. */
  async signInLocally(): Promise<boolean> {
    const name = `viewer-${Math.random().toString(36).slice(2, 8).padEnd(6, '0')}`;
    const response = await fetch(`${this.apiUrl}/local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: name, role: 'viewer' }),
    });
    if (!response.ok) return false;
    this.use(((await response.json()) as { token: string }).token);
    return true;
  }
}
