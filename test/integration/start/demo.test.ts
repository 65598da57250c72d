// `npm start`: the story of one night, played through the real handlers against the simulator and an
// embedded DynamoDB. `runDemo` is asserted on the outcomes the handlers reported; the script itself is
// run as a child process for its exit code, its output and its help.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLIENT } from '#local/sim/index.ts';
import { expectUsage, type ProcessResult, REPO_ROOT, runProcess } from '#test/helpers/processes.ts';
import { SEEDED_BACKED_UP } from '#test/helpers/seeded-org.ts';
import {
  formatReport,
  type Report,
  runDemo,
  type StepReport,
  VPN_ENTRIES,
} from '../../../scripts/lib/demo.ts';

function stepOf(report: Report, id: string): StepReport {
  const step = report.steps.find((s) => s.id === id);
  if (!step) throw new Error(`no step ${id} in the report`);
  return step;
}

const names = (step: StepReport, status: string, what?: string) =>
  step.rows
    .filter((r) => r.status === status && (what === undefined || r.what === what))
    .map((r) => r.cluster)
    .sort();

/** `node --import tsx scripts/start.ts …`, as `npm start` runs it, without the test runner's env tweaks. */
function start(args: string[]): Promise<ProcessResult> {
  const env = { ...process.env };
  for (const k of [
    'POWERTOOLS_DEV',
    'POWERTOOLS_METRICS_DISABLED',
    'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
  ])
    delete env[k];
  return runProcess(['--import', 'tsx', 'scripts/start.ts', ...args], { cwd: REPO_ROOT, env });
}

describe('runDemo', () => {
  it('plays the night on the seeded org with the outcomes the story expects and one auth request', async () => {
    // Act
    const report = await runDemo();

    // Assess: the verdict and the token sharing.
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.tokens.authRequests).toBe(1);
    expect(report.tokens.coldOrigins).toEqual(Array(8).fill('shared'));
    expect(report.tokens.handedOut.auth).toBe(1);
    expect(report.tokens.containers).toBe(9);

    // Backups on the eligible prod/stage clusters only; the too-old generation skipped. prod-analytics's
    // 2-hour-old backup was not created by this project, so it does not count for the interval.
    const backup = stepOf(report, 'backup');
    expect(names(backup, 'done', 'backup-created')).toEqual(SEEDED_BACKED_UP);
    expect(names(backup, 'skipped')).toEqual(['stage-legacy-reports']);

    // A restore drill on the drill cluster, then the readiness table showing it.
    const drill = stepOf(report, 'backup-drill');
    expect(drill.checks.every((c) => c.ok)).toBe(true);
    expect(drill.checks.map((c) => c.text).join(' ')).toMatch(/recovery time \d+ s/);
    const readiness = stepOf(report, 'backup-check');
    expect(readiness.table?.[0]).toMatch(/cluster\s+target\s+newest Complete\s+status\s+last drill/);
    expect(readiness.table?.find((l) => l.includes('stage-payments'))).toMatch(/48h .* ok .* recovery \d+s/);
    expect(backup.idempotencyKey).toMatch(/^backup:run:\d{4}-\d{2}-\d{2}T/);

    // The source stored by webhook and synced to the eight Enterprise clusters.
    const source = stepOf(report, 'set-source');
    expect(source.httpStatus).toBe(202);
    expect(source.notes).toContain(`source office-vpn now has ${VPN_ENTRIES.length} entries (version 1)`);
    expect(names(source, 'done', 'allowlist-updated')).toHaveLength(8);
    expect(source.rows.every((r) => !r.cluster.startsWith('dev-'))).toBe(true);

    // Tonight's plan, the keep-alive, and the teardown honouring it.
    const notice = stepOf(report, 'notice');
    expect(names(notice, 'done', 'teardown-planned')).toEqual([
      'dev-orders',
      'dev-payments',
      'dev-sandbox-bob',
      'test-payments',
    ]);
    expect(names(notice, 'skipped')).toEqual(['dev-sandbox-alice']);
    const keepAlive = stepOf(report, 'keep-alive');
    expect(keepAlive.httpStatus).toBe(202);
    expect(names(keepAlive, 'done', 'keep-alive-set')).toEqual(['dev-payments']);
    const teardown = stepOf(report, 'teardown');
    expect(names(teardown, 'done', 'cluster-deleted')).toEqual([
      'dev-orders',
      'dev-sandbox-bob',
      'test-payments',
    ]);
    expect(teardown.rows.find((r) => r.cluster === 'dev-payments')?.what).toMatch(
      /^keep-alive until .* by alice/,
    );
    expect(names(teardown, 'failed')).toEqual([]);

    // The morning: the same three recreated, then finished with their allowlists once Healthy.
    expect(names(stepOf(report, 'recreate'), 'done', 'cluster-recreated')).toEqual([
      'dev-orders',
      'dev-sandbox-bob',
      'test-payments',
    ]);
    // One run finishes them (the wait for Healthy is simulated time): allowlist, secrets, clients.
    const morning = stepOf(report, 'recreate');
    expect(report.steps.map((s) => s.id)).not.toContain('recreate-again');
    expect(morning.checks.every((c) => c.ok)).toBe(true);
    expect(morning.checks.map((c) => c.text).join('\n')).toMatch(
      /1 of 1 recreated cluster with allowlists carry the current desired allowlist/,
    );
    expect(morning.checks.map((c) => c.text).join('\n')).toMatch(
      /2 of 2 recreated clusters with connector secrets/,
    );
    expect(morning.checks.map((c) => c.text).join('\n')).toMatch(/open window .*test-payments \d+ s/);

    // Redelivered steps were answered from the ledger, not repeated.
    for (const id of ['backup', 'set-source', 'teardown']) {
      const redelivery = stepOf(report, id).checks.find((c) => c.text.startsWith('delivered again'));
      expect(redelivery?.ok, id).toBe(true);
    }
    expect(report.logs.length).toBeGreaterThan(0);
    // Neither the client secret nor a token (a JWT) appears anywhere in the report or the logs.
    const text = JSON.stringify(report) + formatReport(report, { verbose: true });
    expect(text).not.toContain(DEFAULT_CLIENT.clientSecret);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });

  it('rides out injected Console 429s and 5xx by retrying, still with one auth request', async () => {
    // Act
    const report = await runDemo({ faults: ['console-429', 'console-5xx'] });

    // Assess
    expect(report.failures).toEqual([]);
    expect(report.console.byStatus['429']).toBe(2);
    expect(report.console.byStatus['503']).toBe(4);
    expect(report.console.retries).toBeGreaterThanOrEqual(6);
    expect(report.tokens.authRequests).toBe(1);
    expect(report.faults.map((f) => f.name)).toEqual(['console-429', 'console-5xx']);
  });

  it('plays the story on a generated org, raising the deletion cap and saying so', async () => {
    // Act
    const report = await runDemo({ seed: 30, coldStarts: 3 });

    // Assess
    expect(report.failures).toEqual([]);
    expect(report.clusters).toBe(30);
    expect(report.policy.some((p) => p.includes('maxDeletionsPerRun raised to 30'))).toBe(true);
    expect(names(stepOf(report, 'teardown'), 'done', 'cluster-deleted').length).toBeGreaterThan(0);
    expect(report.tokens.coldOrigins).toEqual(['shared', 'shared', 'shared']);
  });

  it('reports a step that did not go as expected, naming it, and keeps playing the rest', async () => {
    // Prepare: the first backup POST fails before doing anything.
    const fault = {
      route: 'POST /clusters/{clusterUuid}/backups',
      kind: 'status',
      status: 500,
      times: 1,
    } as const;

    // Act
    const report = await runDemo({ simFaults: [fault] });

    // Assess
    expect(report.ok).toBe(false);
    expect(report.failures[0]).toMatch(/^step 1 \(Scheduled backup run\): the run failed/);
    expect(names(stepOf(report, 'backup'), 'failed')).toHaveLength(1);
    expect(stepOf(report, 'teardown').checks.every((c) => c.ok)).toBe(true);
    expect(formatReport(report)).toContain('✗ the story did not go as expected');
  });
});

describe('npm start', () => {
  it('exits 0 and prints each step, the checks and the one auth request', async () => {
    // Act
    const run = await start([]);

    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const line of [
      '1. Scheduled backup run',
      '2. Restore drill on stage-payments',
      '3. Backup readiness check',
      '4. Allowlist source office-vpn replaced, then synced',
      '5. Connector secrets synced from Secrets Manager',
      '6. A rotation in Secrets Manager reaches the clusters',
      '9. Nightly teardown',
      '10. Morning recreate',
      '✓ dev-payments skipped: its keep-alive was honoured',
      'auth requests received by the simulator: 1',
      'cold containers got theirs from: shared 8',
      '✓ every step went as expected',
    ]) {
      expect(run.stdout).toContain(line);
    }
    expect(run.stdout).toMatch(/test-payments\s+done\s+cluster-deleted/);
    expect(run.stdout).toMatch(/cluster\s+target\s+newest Complete\s+status\s+last drill/);
    expect(run.stdout).toMatch(/restored, cluster Healthy again: recovery time \d+ s/);
    // Handler logs and library chatter are captured, not printed.
    expect(run.stdout).not.toContain('No application metrics');
    expect(run.stdout).not.toContain('"level"');
  });

  it('prints a machine-readable report with --json', async () => {
    // Act
    const run = await start(['--json']);

    // Assess
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report & { logLines: number };
    expect(report.ok).toBe(true);
    expect(report.tokens.authRequests).toBe(1);
    expect(report.steps.map((s) => s.id)).toEqual([
      'backup',
      'backup-drill',
      'backup-check',
      'set-source',
      'secrets-sync',
      'secrets-rotation',
      'notice',
      'keep-alive',
      'teardown',
      'recreate',
    ]);
    expect(report.logLines).toBeGreaterThan(0);
  });

  it('lists its options with --help', async () => {
    // Act
    const run = await start(['--help']);

    // Assess
    expectUsage(run, [
      '--seed <org|N>',
      '--latency <ms>',
      '--faults <list>',
      '--json',
      '--quiet',
      '--verbose',
    ]);
    for (const fault of ['console-429', 'console-5xx', 'auth-slow']) expect(run.stdout).toContain(fault);
  });

  it('refuses a bad option with exit code 2 and says why', async () => {
    // Act
    const [seed, fault] = await Promise.all([start(['--seed', 'many']), start(['--faults', 'disk-full'])]);

    // Assess
    expect(seed.code).toBe(2);
    expect(seed.stderr).toContain('--seed must be a whole number');
    expect(fault.code).toBe(2);
    expect(fault.stderr).toContain('unknown fault disk-full');
    expect(seed.stdout + fault.stdout).toBe('');
  });
});
