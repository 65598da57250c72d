// `npx cdk synth` / `npx cdk deploy` entry point (cdk.json). Pick an environment with `-c env=<name>`.
// A bad config stops here with the setting named, before anything is built.
import { ConfigError } from '#lib/config/errors.ts';
import configFile from '../automation.config.ts';
import { buildApp } from './build-app.ts';

try {
  buildApp({ configFile }).app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`\n${error.message}\n\nFix automation.config.ts and run the command again.\n`);
  process.exitCode = 1;
}
