// npm run sim: the simulator standalone, for poking at it with curl or running a job against it.
// Options via env: SIM_PORT, SIM_HOST, SIM_SEED ('org' | 'empty' | a number of clusters), SIM_TAR_PIT_MS,
// SIM_AUTH_RATE_LIMIT=off.
import { startSimulator } from '#local/sim/index.ts';
import type { SimOptions } from '#local/sim/types.ts';

function seedFromEnv(value: string | undefined): SimOptions['seed'] {
  if (value === undefined || value === 'org') return 'org';
  if (value === 'empty') return 'empty';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`SIM_SEED must be 'org', 'empty' or a number, got '${value}'`);
  return { clusters: n };
}

const sim = await startSimulator({
  port: process.env.SIM_PORT ? Number(process.env.SIM_PORT) : 0,
  host: process.env.SIM_HOST ?? '127.0.0.1',
  seed: seedFromEnv(process.env.SIM_SEED),
  tarPitMs: process.env.SIM_TAR_PIT_MS ? Number(process.env.SIM_TAR_PIT_MS) : undefined,
  authRateLimit: process.env.SIM_AUTH_RATE_LIMIT === 'off' ? false : undefined,
});

process.stdout.write(
  [
    'Camunda Console API simulator running',
    `  CAMUNDA_CONSOLE_BASE_URL=${sim.url}`,
    `  CAMUNDA_OAUTH_URL=${sim.oauthUrl}`,
    `  CAMUNDA_CONSOLE_OAUTH_AUDIENCE=${sim.audience}`,
    `  CAMUNDA_CONSOLE_CLIENT_ID=${sim.clientId}`,
    `  CAMUNDA_CONSOLE_CLIENT_SECRET=${sim.clientSecret}`,
    `  clusters: ${sim.state.clusters.size}`,
    '',
    'Try:',
    `  TOKEN=$(curl -s ${sim.oauthUrl} -d grant_type=client_credentials -d client_id=${sim.clientId} -d client_secret=${sim.clientSecret} -d audience=${sim.audience} | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
    `  curl -s -H "Authorization: Bearer $TOKEN" ${sim.url}/clusters`,
    'Ctrl-C to stop.',
    '',
  ].join('\n'),
);

const stop = (): void => {
  sim.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
