// One cold "Lambda instance" for the token benchmark: builds the token provider from env exactly as a
// function does and calls getToken() once, printing one JSON line. In a herd (BENCH_WAIT_GO=1) it says
// `ready` once loaded, waits for `go <epoch ms>` on stdin so that the whole herd is released at one
// instant, and after its result stays idle until stdin closes, so that no process's exit competes for
// the CPU with the processes still waiting for their token.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { tokenProviderFromEnv } from '#lib/token/from-env.ts';

function cpuSince(before: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const herd = process.env.BENCH_WAIT_GO === '1';
let stdinText = '';
const stdinEnded = new Promise<void>((resolve) => {
  if (!herd) return resolve();
  process.stdin.setEncoding('utf8');
  process.stdin.on('end', () => resolve());
});

function readGo(): Promise<number> {
  return new Promise((resolve) => {
    const check = () => {
      const match = /^go (\d+)\n/.exec(stdinText);
      if (match) resolve(Number(match[1]));
    };
    process.stdin.on('data', (chunk: string) => {
      stdinText += chunk;
      check();
    });
    void stdinEnded.then(() => resolve(Date.now()));
  });
}

const provider = tokenProviderFromEnv({
  tuning: process.env.BENCH_TUNING ? JSON.parse(process.env.BENCH_TUNING) : undefined,
});
let releaseAt = Date.now();
if (herd) {
  // Node loads its fetch implementation on the first call, which costs tens of ms of CPU. A herd of
  // processes sharing a couple of cores would pay that all at the release instant (separate Lambda
  // instances pay it on their own CPUs), so herd workers load it now, with a data: URL (no network).
  await (await fetch('data:text/plain,warm')).text();
  process.stdout.write('ready\n');
  releaseAt = await readGo();
  const delay = releaseAt - Date.now();
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
}
const lateMs = Date.now() - releaseAt;
const cpuBefore = process.cpuUsage();
const began = performance.now();
try {
  const token = await provider.getToken();
  const ms = performance.now() - began;
  const cpuMs = cpuSince(cpuBefore);
  const tokenHash = createHash('sha256').update(token).digest('hex').slice(0, 16);
  process.stdout.write(
    `${JSON.stringify({ ok: true, tokenHash, origin: provider.lastOrigin, ms, cpuMs, lateMs, stats: provider.stats })}\n`,
  );
} catch (err) {
  const ms = performance.now() - began;
  const cpuMs = cpuSince(cpuBefore);
  const e = err as { name?: string; code?: string; message?: string };
  process.stdout.write(
    `${JSON.stringify({ ok: false, name: e.name, code: e.code, message: e.message, ms, cpuMs, lateMs, stats: provider.stats })}\n`,
  );
}
await stdinEnded;
process.exit(0);
