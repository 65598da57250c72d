// One cold "Lambda instance": builds the token provider from env exactly as a function does, waits for
// the common start instant (so the herd really races), gets a token once, prints what it got.
import { createHash } from 'node:crypto';
import { tokenProviderFromEnv } from '#lib/token/from-env.ts';

const startAt = Number(process.env.HERD_START_AT ?? 0);
const provider = tokenProviderFromEnv({
  tuning: process.env.HERD_TUNING ? JSON.parse(process.env.HERD_TUNING) : undefined,
});
const delay = startAt - Date.now();
if (delay > 0) await new Promise((r) => setTimeout(r, delay));
const began = Date.now();
try {
  const token = await provider.getToken();
  const hash = createHash('sha256').update(token).digest('hex').slice(0, 16);
  process.stdout.write(
    `${JSON.stringify({ ok: true, tokenHash: hash, origin: provider.lastOrigin, ms: Date.now() - began, stats: provider.stats })}\n`,
  );
} catch (err) {
  const e = err as { name?: string; code?: string; message?: string };
  process.stdout.write(
    `${JSON.stringify({ ok: false, name: e.name, code: e.code, message: e.message, ms: Date.now() - began })}\n`,
  );
}
