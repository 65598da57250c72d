// `npm run invoke`: the script run as a child process (stdout piped, so it prints JSON) for every job and
// trigger against the simulator it starts itself, and its answers to bad arguments (against "live" Camunda and
// a DynamoDB endpoint: invoke-live.test.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deepMerge } from '#lib/config/load.ts';
import { LOCAL_CONFIG } from '#local/env.ts';
import { expectUsage } from '#test/helpers/processes.ts';
import { doneWith } from '#test/helpers/run-readers.ts';
import { SEEDED_BACKED_UP } from '#test/helpers/seeded-org.ts';
import { invoke, KEEP_DEV_PAYMENTS, parsed, summaryOf } from '#test/integration/start/invoke-process.ts';

describe('npm run invoke against the simulator it starts', () => {
  it.concurrent.each([
    ['schedule', 'schedule'],
    ['eventbridge', 'eventbridge'],
    ['webhook', 'webhook'],
  ])('backup run via --trigger %s creates the eligible backups', async (trigger, source) => {
    // Act
    const run = await invoke(['backup', 'run', '--trigger', trigger, '--config', 'local']);

    // Assess
    expect(run.code).toBe(0);
    const out = parsed(run);
    expect(out).toMatchObject({ console: 'simulator', dynamodb: 'embedded', result: 'summary', exitCode: 0 });
    const summary = summaryOf(out);
    expect(summary.trigger).toBe(source);
    expect(doneWith(summary, 'backup-created')).toEqual(SEEDED_BACKED_UP);
    if (trigger === 'webhook') expect(out.httpStatus).toBe(202);
    expect(out.events).toContain('backup.run.result');
    // Piped: one plain progress line per cluster outcome on stderr.
    expect(run.stderr).toContain('progress prod-payments done backup-created');
  });

  it.concurrent('teardown notice on a schedule plans the old dev clusters and publishes the notice', async () => {
    // Act
    const out = parsed(await invoke(['teardown', 'notice', '--config', 'local']));

    // Assess
    const summary = summaryOf(out);
    expect(summary.trigger).toBe('schedule');
    expect(doneWith(summary, 'teardown-planned')).toEqual(['dev-orders', 'dev-payments', 'dev-sandbox-bob']);
    expect(out.events).toContain('teardown.notice.sent');
  });

  it.concurrent("teardown run from an EventBridge event (ad hoc, no forced dry run) deletes nothing tonight's notice did not list", async () => {
    // Act: a fresh simulator and table, so no scheduled notice was sent in this window.
    const out = parsed(await invoke(['teardown', 'run', '--trigger', 'eventbridge', '--config', 'local']));

    // Assess
    const summary = summaryOf(out);
    expect(summary.trigger).toBe('eventbridge');
    expect(out.forcedDryRun).toBe(false);
    expect(summary.dryRun).toBe(false);
    expect(doneWith(summary, 'cluster-deleted')).toEqual([]);
    const unnoticed = summary.clusters.filter(
      (c) =>
        c.status === 'skipped' && /not in the notice of teardown window .*no scheduled notice/.test(c.reason),
    );
    expect(unnoticed.map((c) => c.clusterName).sort()).toEqual([
      'dev-orders',
      'dev-payments',
      'dev-sandbox-bob',
    ]);
  });

  it.concurrent('teardown keep-alive by signed webhook (the default trigger) stores the keep-alive', async () => {
    // Act
    const out = parsed(
      await invoke(['teardown', 'keep-alive', '--payload', KEEP_DEV_PAYMENTS(), '--config', 'local']),
    );

    // Assess
    expect(out.httpStatus).toBe(202);
    const summary = summaryOf(out);
    expect(summary.trigger).toBe('webhook');
    expect(doneWith(summary, 'keep-alive-set')).toEqual(['dev-payments']);
  });

  it.concurrent('teardown recreate by webhook with nothing torn down reports no snapshot', async () => {
    // Act
    const out = parsed(await invoke(['teardown', 'recreate', '--trigger', 'webhook', '--config', 'local']));

    // Assess
    expect(out.httpStatus).toBe(202);
    expect(summaryOf(out).notes).toContain('no snapshot to recreate');
    expect(out.exitCode).toBe(0);
  });

  it.concurrent('allowlist-sync sync on a schedule updates the Enterprise clusters', async () => {
    // Act
    const out = parsed(await invoke(['allowlist-sync', '--config', 'local']));

    // Assess
    const summary = summaryOf(out);
    expect(summary.action).toBe('sync');
    expect(summary.trigger).toBe('schedule');
    expect(doneWith(summary, 'allowlist-updated').length).toBeGreaterThan(0);
    expect(summary.clusters.every((c) => !c.clusterName.startsWith('dev-'))).toBe(true);
  });

  it.concurrent('allowlist-sync set-source by webhook stores the source and syncs it', async () => {
    // Prepare
    const payload = JSON.stringify({
      source: 'office-vpn',
      entries: [{ cidr: '198.51.100.0/28', description: 'vpn egress' }],
    });

    // Act
    const out = parsed(
      await invoke(['allowlist-sync', 'set-source', '--payload', payload, '--config', 'local']),
    );

    // Assess
    expect(out.httpStatus).toBe(202);
    const summary = summaryOf(out);
    expect(summary.notes).toContain('source office-vpn now has 1 entries (version 1)');
    expect(doneWith(summary, 'allowlist-updated')).toHaveLength(8);
  });

  it.concurrent('backup check reports every targeted cluster and exits 1 while one is past its target', async () => {
    // Act
    const run = await invoke(['backup', 'check', '--config', 'local']);

    // Assess: the seeded org has clusters without a Complete backup (prod-billing, stage-payments)
    expect(run.code).toBe(1);
    const summary = summaryOf(parsed(run));
    expect(summary.action).toBe('check');
    const failed = summary.clusters.filter((c) => c.status === 'failed').map((c) => c.clusterName);
    expect(failed).toEqual(expect.arrayContaining(['prod-billing', 'stage-payments']));
    expect(summary.notes[0]).toMatch(/^recovery points: \d+ within target, \d+ at risk, \d+ past target/);
  });

  it.concurrent('--dry-run reports what would be done and changes nothing', async () => {
    // Act
    const out = parsed(await invoke(['backup', '--dry-run', '--config', 'local']));

    // Assess
    const summary = summaryOf(out);
    expect(summary.dryRun).toBe(true);
    expect(doneWith(summary, 'would-create-backup')).toHaveLength(5);
    expect(doneWith(summary, 'backup-created')).toEqual([]);
  });

  it.concurrent('sends an --event file as it is, re-signing a webhook event', async () => {
    // Act
    const [scheduled, webhook] = await Promise.all([
      invoke(['backup', '--event', 'test/fixtures/events/scheduler-backup-run.json', '--config', 'local']),
      invoke(['teardown', '--event', 'test/fixtures/events/apigw-v2-webhook.json', '--config', 'local']),
    ]);

    // Assess: the scheduler fixture runs under its own key; the webhook passes the signature check and
    // is refused only for its (past) keep-alive time.
    expect(summaryOf(parsed(scheduled)).idempotencyKey).toBe('backup:run:2026-01-15T02:00:00Z');
    const refused = parsed(webhook);
    expect(webhook.code).toBe(1);
    expect(refused.result).toBe('rejected');
    expect(refused.httpStatus).toBe(422);
    expect(refused.message).toContain('is in the past');
  });

  it.concurrent('exits 1 when the run fails (the blast-radius guard trips)', async () => {
    // Prepare: the local policy with a cap of one deletion, below tonight's candidates.
    const dir = mkdtempSync(join(tmpdir(), 'invoke-config-'));
    const file = join(dir, 'guard.json');
    writeFileSync(file, JSON.stringify(deepMerge(LOCAL_CONFIG, { teardown: { maxDeletionsPerRun: 1 } })));

    // Act
    const run = await invoke(['teardown', 'run', '--trigger', 'schedule', '--config', file]);

    // Assess
    expect(run.code).toBe(1);
    const summary = summaryOf(parsed(run));
    expect(summary.failed).toBe(true);
    expect(summary.counts.done).toBe(0);
    expect(summary.notes.join(' ')).toContain('blast-radius guard');
  });

  it.concurrent('exits 1 when a request is refused (keep-alive for an unknown cluster)', async () => {
    // Prepare
    const payload = JSON.stringify({
      cluster: 'no-such-cluster',
      until: new Date(Date.now() + 3_600_000).toISOString(),
      by: 'me',
      reason: 'test',
    });

    // Act
    const run = await invoke([
      'teardown',
      'keep-alive',
      '--trigger',
      'eventbridge',
      '--payload',
      payload,
      '--config',
      'local',
    ]);

    // Assess
    expect(run.code).toBe(1);
    const out = parsed(run);
    expect(out.result).toBe('error');
    expect(JSON.stringify(out)).toContain("no cluster has the uuid or name 'no-such-cluster'");
  });

  it.concurrent('uses the repository config by default and says its selectors may not fit the simulator', async () => {
    // Act
    const out = parsed(await invoke(['teardown', 'notice']));

    // Assess: automation.config.ts keeps the teardown a dry run.
    expect(summaryOf(out).dryRun).toBe(true);
    expect(out.notes.join(' ')).toContain('--config local fits it');
  });
});

describe('npm run invoke with bad arguments', () => {
  it.concurrent.each([
    [[], 'missing <job>'],
    [['restore'], "unknown job 'restore'"],
    [['backup', 'delete'], "unknown action 'delete' for backup: one of run"],
    [['teardown', 'keep-alive'], 'teardown keep-alive needs --payload'],
    [['backup', '--trigger', 'sqs'], "unknown --trigger 'sqs'"],
    [['backup', '--payload', '{}'], 'backup run takes no payload'],
    [['backup', '--event', 'x.json', '--trigger', 'webhook'], '--trigger cannot be combined with --event'],
    [['backup', '--frobnicate'], 'unknown option --frobnicate'],
    [['teardown', '--config', 'local', '--env', 'prod'], '--env applies to a config file'],
    [['teardown', '--env', 'nowhere'], "unknown environment 'nowhere' (known: dev, prod)"],
  ])('%j → exit 2: %s', async (args, message) => {
    // Act
    const run = await invoke(args);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });

  it.concurrent('prints the usage with --help', async () => {
    // Act
    const run = await invoke(['--help']);

    // Assess
    expectUsage(run, [
      '--trigger <kind>',
      '--event <file>',
      '--dry-run',
      '--config <file>',
      '--env <name>',
      '--live-delete',
    ]);
  });
});
