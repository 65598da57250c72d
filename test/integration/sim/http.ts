// Small HTTP helpers for the simulator's own tests (plain global fetch, nothing from lib/ but the spec's types),
// and their `start`.
import { afterEach } from 'vitest';
import type { components } from '#lib/console/openapi-types.ts';
import { type RunningSimulator, type Simulator, startSimulator } from '#local/sim/index.ts';
import type { SimOptions } from '#local/sim/types.ts';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body when the answer is JSON, else undefined. */
  json: unknown;
}

async function reply(res: Response): Promise<Reply> {
  const text = await res.text();
  const json = res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : undefined;
  return { status: res.status, headers: res.headers, text, json };
}

export interface TokenRequest {
  clientId?: string;
  clientSecret?: string;
  audience?: string;
  grantType?: string;
  encoding?: 'form' | 'json';
  source?: string;
}

/** POST to the token endpoint (form-encoded by default, like Camunda's SDKs). */
export async function requestToken(sim: Simulator, req: TokenRequest = {}): Promise<Reply> {
  const fields = {
    grant_type: req.grantType ?? 'client_credentials',
    client_id: req.clientId ?? sim.clientId,
    client_secret: req.clientSecret ?? sim.clientSecret,
    audience: req.audience ?? sim.audience,
  };
  const json = req.encoding === 'json';
  const headers: Record<string, string> = {
    'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
  };
  if (req.source) headers['x-sim-source'] = req.source;
  const res = await fetch(sim.oauthUrl, {
    method: 'POST',
    headers,
    body: json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
  });
  return reply(res);
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** One Console API call; `token` defaults to a fresh one from `sim.issueToken()`, `null` sends none. */
export async function call(
  sim: Simulator,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<Reply> {
  const token = opts.token === undefined ? sim.issueToken() : opts.token;
  const headers: Record<string, string> = { ...opts.headers };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${sim.url}${path}`, { method, headers, body, signal: opts.signal });
  return reply(res);
}

/** The uuid of a seeded cluster by name. */
export function idOf(sim: Simulator, name: string): string {
  return sim.state.cluster(name).uuid;
}

/** A cluster as GET /clusters/{id} answers it, with room for fields the spec does not name (to check absent). */
export type ClusterJson = components['schemas']['Cluster'] & Record<string, unknown>;

/** GET /clusters/{id}'s answer. */
export async function clusterOf(sim: Simulator, id: string): Promise<ClusterJson> {
  return (await call(sim, 'GET', `/clusters/${id}`)).json as ClusterJson;
}

/** The simulator a test starts, with the uuid of the seeded cluster `name` the test works on. */
export async function withCluster<S extends Simulator>(
  starting: Promise<S>,
  name: string,
): Promise<{ s: S; id: string }> {
  const s = await starting;
  return { s, id: idOf(s, name) };
}

/**
 * The `start` of a simulator test file: each call starts a simulator (no tar pit and no auth rate limit unless a
 * test asks, then `defaults`, then the test's options); every one a test started is closed after it.
 */
export function simulatorsPerTest(defaults: SimOptions = {}) {
  let started: RunningSimulator[] = [];
  afterEach(async () => {
    await Promise.all(started.map((sim) => sim.close()));
    started = [];
  });
  return async (options: SimOptions = {}): Promise<RunningSimulator> => {
    const sim = await startSimulator({ tarPitMs: 0, authRateLimit: false, ...defaults, ...options });
    started.push(sim);
    return sim;
  };
}
