// HS256 JWTs for the simulated auth server, signed with a key that lives only in one simulator
// instance (a token from another instance fails the signature check, as a forged one would).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface JwtClaims {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  azp?: string;
  gty?: string;
  scope?: string;
}

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

export class JwtSigner {
  readonly #key: Buffer = randomBytes(32);

  sign(claims: JwtClaims): string {
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'sim' }));
    const payload = b64url(JSON.stringify(claims));
    const signature = createHmac('sha256', this.#key).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  }

  /** The claims when the signature is ours and the shape is a JWT; undefined otherwise. Expiry is not checked here. */
  verify(token: string): JwtClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts as [string, string, string];
    const expected = createHmac('sha256', this.#key).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const head = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown };
      if (head.alg !== 'HS256') return undefined;
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<JwtClaims>;
      if (
        typeof claims.sub !== 'string' ||
        typeof claims.aud !== 'string' ||
        typeof claims.exp !== 'number' ||
        typeof claims.jti !== 'string'
      ) {
        return undefined;
      }
      return claims as JwtClaims;
    } catch {
      return undefined;
    }
  }
}

/** Decodes a JWT payload without checking anything (for tests). */
export function decodeJwt(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (payload === undefined) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
