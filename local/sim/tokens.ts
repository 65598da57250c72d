// The simulated auth server's memory: clients and secrets, issued tokens, the per-client cache.
import { randomUUID } from 'node:crypto';
import { type JwtClaims, JwtSigner } from '#local/sim/jwt.ts';
import type { SimClient } from '#local/sim/types.ts';

export const TOKEN_SCOPE = 'Cluster Backups IPAllowlist';

export interface TokenAuthorityOptions {
  issuer: string;
  audience: string;
  lifetimeSec: number;
  now: () => number;
}

export type TokenCheck = { ok: true; claims: JwtClaims } | { ok: false; reason: string };

export interface IssuedToken {
  token: string;
  /** Seconds left, as `expires_in` says. */
  expiresIn: number;
  cached: boolean;
}

export class TokenAuthority {
  readonly clients: SimClient[];
  readonly #signer = new JwtSigner();
  readonly #opts: TokenAuthorityOptions;
  /** jti → exp (seconds) of every token that is not revoked. */
  readonly #issued = new Map<string, number>();
  /** clientId → its last token, for `serveCachedToken`. */
  readonly #cache = new Map<string, { token: string; jti: string; exp: number }>();

  constructor(clients: SimClient[], opts: TokenAuthorityOptions) {
    this.clients = clients.map((c) => ({ ...c }));
    this.#opts = opts;
  }

  /** True when the pair is a known client with its current secret. */
  authenticate(clientId: string, clientSecret: string): boolean {
    return this.clients.some((c) => c.clientId === clientId && c.clientSecret === clientSecret);
  }

  setCredentials(clientId: string, clientSecret: string): void {
    const existing = this.clients.find((c) => c.clientId === clientId);
    if (existing) existing.clientSecret = clientSecret;
    else this.clients.push({ clientId, clientSecret });
  }

  /** A new signed token (not cached for the OAuth endpoint). */
  mint(
    clientId: string,
    lifetimeSec: number = this.#opts.lifetimeSec,
    audience = this.#opts.audience,
  ): string {
    const iat = Math.floor(this.#opts.now() / 1000);
    const claims: JwtClaims = {
      iss: this.#opts.issuer,
      sub: clientId,
      aud: audience,
      iat,
      exp: iat + lifetimeSec,
      jti: randomUUID(),
      azp: clientId,
      gty: 'client-credentials',
      scope: TOKEN_SCOPE,
    };
    const token = this.#signer.sign(claims);
    this.#issued.set(claims.jti, claims.exp);
    return token;
  }

  /** A token for a client that authenticated; reuses the cached one when asked to and it has ≥ 1 s left. */
  issue(clientId: string, serveCached: boolean): IssuedToken {
    const nowMs = this.#opts.now();
    const cached = this.#cache.get(clientId);
    if (serveCached && cached && this.#issued.has(cached.jti) && cached.exp * 1000 - nowMs >= 1000) {
      return { token: cached.token, expiresIn: Math.floor((cached.exp * 1000 - nowMs) / 1000), cached: true };
    }
    const token = this.mint(clientId);
    const claims = this.#signer.verify(token);
    if (claims) this.#cache.set(clientId, { token, jti: claims.jti, exp: claims.exp });
    return { token, expiresIn: this.#opts.lifetimeSec, cached: false };
  }

  /** The bearer check of the Console API. */
  check(token: string): TokenCheck {
    const claims = this.#signer.verify(token);
    if (!claims) return { ok: false, reason: 'invalid token' };
    if (!this.#issued.has(claims.jti)) return { ok: false, reason: 'token revoked or unknown' };
    if (claims.aud !== this.#opts.audience) return { ok: false, reason: 'wrong audience' };
    if (this.#opts.now() >= claims.exp * 1000) return { ok: false, reason: 'token expired' };
    return { ok: true, claims };
  }

  revokeAll(): void {
    this.#issued.clear();
    this.#cache.clear();
  }
}
