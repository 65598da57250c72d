// What the integration tests read from a run and its logs: the clusters a summary reports done with an action,
// one cluster's outcome, a webhook answer's summary, one event delivered several times in a row, and the scan
// of every line a test file logged for the secrets its environments knew.
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '#lib/jobs/types.ts';
import type { WebhookResponse } from '#lib/triggers/webhook-response.ts';
import { allLogText, LOCAL_WEBHOOK_SECRET, type LocalEnv } from '#local/env.ts';
import type { RecordedLine } from '#local/recording-log.ts';
import { outcomeByName } from '#test/helpers/outcomes.ts';

/** The names of the clusters the summary reports done with `action`, sorted. */
export function doneWith(summary: RunSummary, action: string): string[] {
  return summary.clusters
    .filter((c) => c.status === 'done' && c.action === action)
    .map((c) => c.clusterName)
    .sort();
}

export { outcomeByName, outcomeOf } from '#test/helpers/outcomes.ts';

export function detailOf(summary: RunSummary, name: string): Record<string, unknown> | undefined {
  const outcome = outcomeByName(summary, name);
  return outcome && 'detail' in outcome ? outcome.detail : undefined;
}

/** The run summary a webhook answer (202) carries. */
export function bodyOf(answer: unknown): RunSummary {
  return JSON.parse((answer as WebhookResponse).body) as RunSummary;
}

/** The same delivery three times in a row (one after the other, as a redelivering trigger does). */
export async function deliveredThreeTimes<T>(deliver: () => Promise<unknown>): Promise<[T, T, T]> {
  return [(await deliver()) as T, (await deliver()) as T, (await deliver()) as T];
}

/**
 * One EventBridge event delivered three times: checks the first delivery ran it (trigger `eventbridge`) and
 * the two others were answered from the run ledger; returns the first run's summary.
 */
export async function firstOfThreeEventDeliveries(deliver: () => Promise<unknown>): Promise<RunSummary> {
  const [first, ...replays] = await deliveredThreeTimes<RunSummary>(deliver);
  expect(first.trigger).toBe('eventbridge');
  expect(replays.map((r) => r.replayed)).toEqual([true, true]);
  return first;
}

/**
 * Every line logged by every test of a file, with the secrets each test's environment used (client secret,
 * webhook secret, the access token when one was issued): `collect` each environment before closing it, and
 * check them all in the file's last test.
 */
export function fileLogScan() {
  const lines: RecordedLine[] = [];
  const secrets: string[] = [];
  return {
    async collect(env: LocalEnv): Promise<void> {
      const known = [env.sim.clientSecret, LOCAL_WEBHOOK_SECRET, LOCAL_WEBHOOK_SECRET.slice('whsec_'.length)];
      if (env.sim.stats.auth.issued > 0) known.push(await env.container.tokens.getToken());
      lines.push(...env.log.lines);
      secrets.push(...known);
    },
    /** No collected line holds a collected secret or anything shaped like a JWT; `evidence` is a message the
     * file's runs log, so the scan is known to cover real runs (and so could have found something). */
    expectNoSecretLogged(evidence: string): void {
      const text = allLogText(lines);
      expect(lines.some((l) => l.message === evidence)).toBe(true);
      expect(secrets.filter((s) => s.startsWith('eyJ')).length).toBeGreaterThan(0);
      for (const secret of secrets) {
        expect(secret.length).toBeGreaterThan(8);
        expect(text).not.toContain(secret);
      }
      expect(text).not.toMatch(/eyJ[\w-]{4,}\.[\w-]{4,}\./);
    },
    /**
     * Registers the file's secret scan as `describe(label)`'s one test; call it after every other test of
     * the file (vitest runs a file's tests in order), so each has added its lines and secrets in afterEach.
     */
    scanAtEnd(label: string, evidence: string): void {
      describe(label, () => {
        it('no line logged by this file holds the client secret, the webhook secret or an access token', () => {
          this.expectNoSecretLogged(evidence);
        });
      });
    },
  };
}
