// Webhook senders in the config: named parties, each with the routes (`<job>.<action>`) its secret may call.
// Least privilege by default: no sender unless declared, no route unless listed, '*' only when written.
import { describe, expect, it } from 'vitest';
import { parseConfig, WEBHOOK_ROUTES } from '#lib/config/schema.ts';
import { issuesOf } from './issues.ts';

const ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:camunda/webhook-GhIjKl';

describe('webhooks.senders', () => {
  it('defaults to no sender: no secret authorizes anything', () => {
    // Act
    const config = parseConfig({});
    // Assess
    expect(config.webhooks.senders).toEqual({});
  });

  it('keeps the routes each sender is given, and an explicit "*"', () => {
    // Act
    const config = parseConfig({
      webhooks: {
        senders: {
          'chat-bot': { routes: ['teardown.keep-alive'] },
          ops: { routes: ['*'] },
        },
      },
    });
    // Assess
    expect(config.webhooks.senders).toEqual({
      'chat-bot': { routes: ['teardown.keep-alive'] },
      ops: { routes: ['*'] },
    });
  });

  it('knows exactly the job/action routes', () => {
    expect([...WEBHOOK_ROUTES].sort()).toEqual(
      [
        'allowlist-sync.set-source',
        'allowlist-sync.sync',
        'backup.check',
        'backup.drill',
        'backup.run',
        'secrets-sync.sync',
        'teardown.keep-alive',
        'teardown.notice',
        'teardown.recreate',
        'teardown.run',
      ].sort(),
    );
  });

  it.each([
    [
      { bot: { routes: ['teardown.destroy'] } },
      'webhooks.senders.bot.routes[0]',
      /'teardown.destroy' is not a webhook route; known: .*teardown.keep-alive/,
    ],
    [{ bot: { routes: [] } }, 'webhooks.senders.bot.routes', /must name at least one route/],
    [{ bot: {} }, 'webhooks.senders.bot.routes', /is required/],
    [
      { bot: { routes: ['*', 'backup.run'] } },
      'webhooks.senders.bot.routes',
      /'\*' already grants every route/,
    ],
    [{ bot: { routes: ['backup.run', 'backup.run'] } }, 'webhooks.senders.bot.routes[1]', /listed twice/],
    [{ Bot_1: { routes: ['backup.run'] } }, 'webhooks.senders.Bot_1', /sender names are/],
    [
      { bot: { routes: ['backup.run'], secret: 'whsec_x' } },
      'webhooks.senders.bot.secret',
      /unknown setting/,
    ],
  ])('refuses %j, naming the setting', (senders, path, message) => {
    // Act
    const issues = issuesOf({ webhooks: { senders } });
    // Assess
    expect(issues).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('refuses a secret import for a sender that is not declared', () => {
    // Act
    const issues = issuesOf({
      webhooks: { senders: { bot: { routes: ['backup.run'] } } },
      deployment: { webhookSecretArns: { other: ARN }, webhookSecretArn: ARN },
    });
    // Assess
    expect(issues).toEqual([
      {
        path: 'deployment.webhookSecretArns.other',
        message: "no webhook sender 'other' in webhooks.senders",
      },
      {
        path: 'deployment.webhookSecretArn',
        message: "imports the secret of webhook sender 'default', which webhooks.senders does not declare",
      },
    ]);
  });

  it("accepts the single secret of earlier versions as sender 'default'", () => {
    // Act
    const config = parseConfig({
      webhooks: { senders: { default: { routes: ['teardown.keep-alive'] } } },
      deployment: { webhookSecretArn: ARN },
    });
    // Assess
    expect(config.deployment.webhookSecretArn).toBe(ARN);
  });
});
