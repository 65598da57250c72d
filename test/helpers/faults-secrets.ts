// Secret scanning for the faults suite: everything a run could leak through (log lines, stdout/stderr of the
// Powertools logger and metrics, thrown errors with their cause chains, webhook answers, summaries) is
// collected per test file and searched for the access tokens the simulator issued, the client secret and the
// webhook signing secret, and for anything shaped like a bearer token or a JWT.
import { inspect } from 'node:util';

/** Text shaped like a credential, whatever its value: `Bearer <x>` (not redacted), JWT-like strings. */
const SHAPES: Array<{ name: string; pattern: RegExp }> = [
  { name: 'bearer token', pattern: /\bBearer\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]{8,}/i },
  { name: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/ },
  {
    name: 'authorization header',
    pattern: /["']?authorization["']?\s*[:=]\s*["']?(?!\[redacted\])(?:Bearer|Basic)\s/i,
  },
];

/** Everything an error carries: message, stack, own fields, toJSON, and the whole cause chain. */
export function describeError(err: unknown): string {
  const parts: string[] = [
    inspect(err, { depth: 8, showHidden: false, breakLength: Number.POSITIVE_INFINITY }),
  ];
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? '');
      try {
        parts.push(JSON.stringify(current));
      } catch {
        // a cyclic cause: inspect() above already has it
      }
      current = current.cause;
    } else {
      parts.push(typeof current === 'string' ? current : inspect(current, { depth: 6 }));
      break;
    }
  }
  return parts.join('\n');
}

export interface Finding {
  where: string;
  what: string;
}

/**
 * Collects secrets and texts, then reports every place a secret (or a credential-shaped string) shows up.
 * Texts are kept in memory until `findings()`; a file's worth of logs is small.
 */
export class LeakScanner {
  readonly #secrets = new Set<string>();
  readonly #texts: Array<{ where: string; text: string }> = [];
  #output: { restore(): void; text(): string } | undefined;

  /** Secrets shorter than 8 characters would match by chance; the suite uses long ones. */
  addSecret(secret: string | undefined): void {
    if (secret && secret.length >= 8) this.#secrets.add(secret);
  }

  addText(where: string, text: string): void {
    this.#texts.push({ where, text });
  }

  addValue(where: string, value: unknown): void {
    if (value instanceof Error) this.addText(where, describeError(value));
    else this.addText(where, typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));
  }

  get secretCount(): number {
    return this.#secrets.size;
  }

  get textCount(): number {
    return this.#texts.length;
  }

  /**
   * From now until `stopOutput()`, everything written to process.stdout / process.stderr (Powertools' logger
   * and EMF metrics write there directly) is kept for the scan and not printed.
   */
  captureOutput(): void {
    if (this.#output) return;
    const chunks: string[] = [];
    const streams = [process.stdout, process.stderr];
    const originals = streams.map((s) => s.write);
    for (const stream of streams) {
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
        const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      }) as typeof stream.write;
    }
    this.#output = {
      restore: () => {
        streams.forEach((s, i) => {
          const original = originals[i];
          if (original) s.write = original;
        });
      },
      text: () => chunks.join(''),
    };
  }

  stopOutput(): void {
    if (!this.#output) return;
    this.#output.restore();
    this.addText('stdout/stderr', this.#output.text());
    this.#output = undefined;
  }

  findings(): Finding[] {
    const out: Finding[] = [];
    for (const { where, text } of this.#texts) {
      for (const secret of this.#secrets) {
        if (text.includes(secret))
          out.push({ where, what: `secret ${secret.slice(0, 4)}… (${secret.length} chars)` });
      }
      for (const { name, pattern } of SHAPES) {
        const m = pattern.exec(text);
        if (m) out.push({ where, what: `${name}: ${m[0].slice(0, 24)}…` });
      }
    }
    return out;
  }
}
