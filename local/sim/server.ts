// startSimulator: one node:http server on an ephemeral port serving both the Camunda OAuth token
// endpoint (/oauth/token) and the Console API (every other path).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleConsole } from '#local/sim/console-api.ts';
import type { ResolvedOptions, SimCore } from '#local/sim/core.ts';
import { Exchange, textAnswer } from '#local/sim/exchange.ts';
import { FaultRegistry } from '#local/sim/faults.ts';
import { AuthRateLimiter, TokenBucket } from '#local/sim/limits.ts';
import { handleOAuth, OAUTH_PATH } from '#local/sim/oauth.ts';
import { seedOrg } from '#local/sim/seed.ts';
import { catalog } from '#local/sim/seed-catalog.ts';
import { generateOrg } from '#local/sim/seed-generated.ts';
import { SimState } from '#local/sim/state.ts';
import { TokenAuthority } from '#local/sim/tokens.ts';
import type {
  Fault,
  FaultHandle,
  RequestLogEntry,
  SimOptions,
  SimStats,
  Simulator,
} from '#local/sim/types.ts';

export const DEFAULT_CLIENT = { clientId: 'sim-client', clientSecret: 'sim-secret' } as const;
export const DEFAULT_AUDIENCE = 'api.cloud.camunda.io';
const MAX_BODY_BYTES = 1024 * 1024;

/** A Simulator plus a few extras for tests. */
export interface RunningSimulator extends Simulator {
  issueToken(clientId?: string, lifetimeSec?: number, audience?: string): string;
  /** The OAuth rate-limit block of a source (default: the loopback address), or undefined. */
  authBlockedUntil(source?: string): number | undefined;
}

function emptyStats(): SimStats {
  return {
    auth: { requests: 0, issued: 0, cached: 0, rejected: 0, rateLimited: 0, bySource: {} },
    console: { requests: 0, byRoute: {}, byStatus: {}, rateLimited: 0, unauthorized: 0, specViolations: [] },
  };
}

function remoteSource(req: IncomingMessage, useHeader: boolean): string {
  const header = req.headers['x-sim-source'];
  if (useHeader && typeof header === 'string' && header.length > 0) return header;
  const address = req.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startSimulator(options: SimOptions = {}): Promise<RunningSimulator> {
  const now = options.now ?? Date.now;
  const resolved: ResolvedOptions = {
    audience: options.audience ?? DEFAULT_AUDIENCE,
    tokenLifetimeSec: options.tokenLifetimeSec ?? 300,
    serveCachedToken: options.serveCachedToken ?? false,
    tarPitMs: options.tarPitMs ?? 30_000,
    authRateLimit:
      options.authRateLimit === undefined ? { perSecond: 1, blockMs: 10_000 } : options.authRateLimit,
    consoleRateLimit: options.consoleRateLimit ?? false,
    latencyMs: options.latencyMs ?? 0,
    clusterCreateMs: options.clusterCreateMs ?? 200,
    sourceHeader: options.sourceHeader ?? true,
  };
  const clients = options.clients && options.clients.length > 0 ? options.clients : [{ ...DEFAULT_CLIENT }];

  const state = new SimState(catalog(), now, {
    backupDurationMs: options.backupDurationMs ?? 200,
    clusterCreateMs: resolved.clusterCreateMs,
    manualBackupIntervalMs: options.manualBackupIntervalMs ?? 60 * 60 * 1000,
    secretChangeMs: options.secretChangeMs ?? 0,
  });
  if (options.allowlistWhileCreating !== undefined)
    state.allowlistWhileCreating = options.allowlistWhileCreating;
  const seed = options.seed ?? 'org';
  if (seed === 'org') state.load(seedOrg(now()));
  else if (seed !== 'empty') state.load(generateOrg(seed.clusters, seed.rngSeed, now()));

  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (closed) return;
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const faults = new FaultRegistry();
  const stats = emptyStats();
  const requestLog: RequestLogEntry[] = [];
  // The issuer needs the port, known only after listen(); the authority reads it lazily.
  const urls = { base: '' };
  const tokens = new TokenAuthority(clients, {
    get issuer() {
      return `${urls.base}/`;
    },
    audience: resolved.audience,
    lifetimeSec: resolved.tokenLifetimeSec,
    now,
  });
  const core: SimCore = { options: resolved, now, state, faults, stats, tokens, sleep };
  const authLimiter = resolved.authRateLimit ? new AuthRateLimiter(resolved.authRateLimit, now) : undefined;
  const bucket = resolved.consoleRateLimit ? new TokenBucket(resolved.consoleRateLimit, now) : undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://sim.invalid').pathname;
    const source = remoteSource(req, resolved.sourceHeader);
    const entry: RequestLogEntry = {
      at: now(),
      method: (req.method ?? 'GET').toUpperCase(),
      path,
      status: 0,
      source,
    };
    requestLog.push(entry);
    const raw = await readBody(req);
    const ex = new Exchange(req, res, entry, source, raw ?? Buffer.alloc(0));
    if (raw === undefined) {
      ex.send(textAnswer(413, 'Request body too large'));
      return;
    }
    if (path === OAUTH_PATH) await handleOAuth(core, authLimiter, ex);
    else await handleConsole(core, bucket, ex);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`simulator error: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  urls.base = `http://${host}:${address.port}`;

  let closing: Promise<void> | undefined;
  const sim: RunningSimulator = {
    url: urls.base,
    oauthUrl: `${urls.base}${OAUTH_PATH}`,
    audience: resolved.audience,
    get clientId() {
      return tokens.clients[0]?.clientId ?? DEFAULT_CLIENT.clientId;
    },
    get clientSecret() {
      return tokens.clients[0]?.clientSecret ?? DEFAULT_CLIENT.clientSecret;
    },
    state,
    faults: {
      add: (f: Fault): FaultHandle => faults.add(f),
      clear: () => faults.clear(),
    },
    stats,
    requestLog,
    issueToken: (clientId?: string, lifetimeSec?: number, audience?: string) =>
      tokens.mint(
        clientId ?? sim.clientId,
        lifetimeSec ?? resolved.tokenLifetimeSec,
        audience ?? resolved.audience,
      ),
    revokeAllTokens: () => tokens.revokeAll(),
    setCredentials: (clientId: string, clientSecret: string) => tokens.setCredentials(clientId, clientSecret),
    authBlockedUntil: (source = '127.0.0.1') => authLimiter?.blockedUntil(source),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        closed = true;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
  return sim;
}
