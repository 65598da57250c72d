// POST /oauth/token: the client-credentials grant as Camunda's Auth0-based login server answers it,
// with its per-source rate limit (failed requests count, 429 blocks the source) and its tar pit.
import { bump, type SimCore } from '#local/sim/core.ts';
import { type Answer, type Exchange, jsonAnswer } from '#local/sim/exchange.ts';
import type { AuthRateLimiter } from '#local/sim/limits.ts';
import { TOKEN_SCOPE } from '#local/sim/tokens.ts';

export const OAUTH_PATH = '/oauth/token';

const oauthError = (
  status: number,
  error: string,
  description: string,
  headers?: Record<string, string>,
): Answer => jsonAnswer(status, { error, error_description: description }, headers);

type Parsed = { ok: true; form: Record<string, string> } | { ok: false; answer: Answer };

function parseTokenBody(ex: Exchange): Parsed {
  const text = ex.raw.toString('utf8');
  if (ex.contentType === 'application/x-www-form-urlencoded') {
    return { ok: true, form: Object.fromEntries(new URLSearchParams(text)) };
  }
  if (ex.contentType === 'application/json') {
    try {
      const parsed: unknown = JSON.parse(text);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        return {
          ok: false,
          answer: oauthError(400, 'invalid_request', 'the request body must be a JSON object'),
        };
      }
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
      return { ok: true, form: out };
    } catch {
      return { ok: false, answer: oauthError(400, 'invalid_request', 'the request body is not valid JSON') };
    }
  }
  return {
    ok: false,
    answer: oauthError(
      400,
      'invalid_request',
      'Content-Type must be application/x-www-form-urlencoded or application/json',
    ),
  };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** [client_id, client_secret] from an `Authorization: Basic` header, or []. */
function basicCredentials(header: string | undefined): string[] {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m?.[1]) return [];
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return [];
  return [safeDecode(decoded.slice(0, colon)), safeDecode(decoded.slice(colon + 1))];
}

function redact(body: Record<string, string>): Record<string, string> {
  const copy = { ...body };
  if ('client_secret' in copy) copy.client_secret = '[redacted]';
  return copy;
}

export async function handleOAuth(
  core: SimCore,
  limiter: AuthRateLimiter | undefined,
  ex: Exchange,
): Promise<void> {
  const { stats } = core;
  stats.auth.requests += 1;
  bump(stats.auth.bySource, ex.source);
  ex.entry.route = 'oauth';

  const count = (answer: Answer): void => {
    if (answer.status === 429) stats.auth.rateLimited += 1;
    else if (answer.status === 200) stats.auth.issued += 1;
    else if (answer.status >= 400 && answer.status < 500) stats.auth.rejected += 1;
  };
  const finish = (answer: Answer): void => {
    count(answer);
    ex.send(answer);
  };

  // Every request counts against the source's budget, whatever happens to it next.
  const limit = limiter?.hit(ex.source);
  if (limit && !limit.ok) {
    const headers: Record<string, string> = {};
    const rule = core.options.authRateLimit;
    if (rule !== false && rule.retryAfter === true) {
      headers['retry-after'] = String(limit.retryAfterSec);
    }
    finish(oauthError(429, 'too_many_requests', 'Global limit has been reached', headers));
    return;
  }

  const fault = core.faults.take('oauth');
  if (fault.latencyMs > 0) await core.sleep(fault.latencyMs);
  if (fault.terminal && !fault.terminal.afterCommit) {
    ex.applyFault(fault.terminal);
    return;
  }

  const answer = await tokenAnswer(core, ex);
  if (fault.terminal) {
    // afterCommit: the token was issued (and counted), the caller never sees it.
    count(answer);
    ex.applyFault(fault.terminal);
    return;
  }
  finish(answer);
}

async function tokenAnswer(core: SimCore, ex: Exchange): Promise<Answer> {
  if (ex.method !== 'POST') {
    return oauthError(405, 'invalid_request', `method ${ex.method} is not allowed`, { allow: 'POST' });
  }
  const parsed = parseTokenBody(ex);
  if (!parsed.ok) return parsed.answer;
  const form = parsed.form;
  ex.entry.body = redact(form);

  const grantType = form.grant_type;
  if (!grantType) return oauthError(400, 'invalid_request', 'Missing required parameter: grant_type');
  if (grantType !== 'client_credentials') {
    return oauthError(400, 'unsupported_grant_type', `Unsupported grant type: ${grantType}`);
  }
  // client_secret_basic (HTTP Basic) works too, as on Auth0; Camunda's SDKs send the fields in the body.
  const [basicId, basicSecret] = basicCredentials(ex.req.headers.authorization);
  const clientId = form.client_id ?? basicId;
  const clientSecret = form.client_secret ?? basicSecret;
  if (!clientId || !clientSecret) {
    return oauthError(400, 'invalid_request', 'Missing required parameter: client_id and client_secret');
  }
  if (!form.audience) return oauthError(400, 'invalid_request', 'Missing required parameter: audience');

  if (!core.tokens.authenticate(clientId, clientSecret)) {
    // The tar pit: wrong credentials are answered slowly.
    if (core.options.tarPitMs > 0) await core.sleep(core.options.tarPitMs);
    return oauthError(401, 'access_denied', 'Unauthorized');
  }
  if (form.audience !== core.options.audience) {
    return oauthError(401, 'access_denied', `Service not found: ${form.audience}`);
  }

  const issued = core.tokens.issue(clientId, core.options.serveCachedToken);
  if (issued.cached) core.stats.auth.cached += 1;
  return jsonAnswer(
    200,
    { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn, scope: TOKEN_SCOPE },
    { 'cache-control': 'no-store', pragma: 'no-cache' },
  );
}
