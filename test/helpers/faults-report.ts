// Figures of the faults and safety suite. When RELIABILITY_REPORT names a directory (set by
// `npm run reliability`), every row appends one JSON line there; scripts/reliability.ts sums them into
// docs/RELIABILITY.md. Without the variable nothing is written.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const REPORT_ENV = 'RELIABILITY_REPORT';

export interface RowFigures {
  /** The matrix group, e.g. 'auth server', 'Console API', 'webhook input'. */
  group: string;
  /** The row, e.g. '429 with a block window'. */
  row: string;
  /** Cases run: handler invocations for the matrix, generated inputs for properties. */
  cases: number;
  /** Faults the row injected (answers replaced, delays, dropped connections, killed processes …). */
  faults: number;
  /** Duplicate creates, deletes, backup POSTs, bad allowlist writes counted (must be 0). */
  duplicates: number;
  /** Selected clusters missing from a summary, or state changes on a rejected input (must be 0). */
  losses: number;
  /** Clusters accounted for in summaries, for the matrix rows. */
  clusters?: number;
}

export function reportRow(figures: RowFigures): void {
  const dir = process.env[REPORT_ENV];
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(
    join(dir, `rows-${process.pid}.jsonl`),
    `${JSON.stringify({ ...figures, at: Date.now() })}\n`,
  );
}
