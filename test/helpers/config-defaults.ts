// The deployment settings a config without a `deployment` section gets (documented in automation.config.ts),
// written out once for the tests that pin them: the schema's defaults and what the stack is built with.
export const DOCUMENTED_DEPLOYMENT_DEFAULTS = {
  webhookAuth: 'signature',
  webhookThrottle: { rateLimit: 10, burstLimit: 20 },
  logRetentionDays: 30,
  functionTimeoutSeconds: 300,
  memoryMb: 512,
  reservedConcurrency: 0,
} as const;
