// Builds the CDK app: resolves and validates the config for the chosen environment (`-c env=prod`), creates the
// stack, records the accepted cdk-nag findings, and registers cdk-nag (AwsSolutions + Serverless) as policy
// validation plugins, so `cdk synth` fails on any finding not acknowledged in infra/nag.ts.
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { resolveConfig } from '#lib/config/load.ts';
import { acknowledgeFindings } from './nag.ts';
import { AutomationStack } from './stack.ts';

export const STACK_NAME = 'CamundaConsoleAutomation';

export interface BuildAppOptions {
  /** The config file's default export (unvalidated): base settings plus `environments`. */
  configFile: unknown;
  /** Environment from the config's `environments`; default: the CDK context `env` (`-c env=prod`), else the base. */
  envName?: string;
  appProps?: AppProps;
  /** Run cdk-nag during synth (default true). */
  nag?: boolean;
}

/** Throws `ConfigError` (naming every bad setting) before any construct exists when the config is invalid. */
export function buildApp(options: BuildAppOptions): { app: App; stack: AutomationStack } {
  const app = new App(options.appProps);
  const fromContext: unknown = app.node.tryGetContext('env');
  const envName =
    options.envName ?? (typeof fromContext === 'string' && fromContext !== '' ? fromContext : undefined);
  const config = resolveConfig(options.configFile, envName);
  const stack = new AutomationStack(app, envName ? `${STACK_NAME}-${envName}` : STACK_NAME, {
    config,
    envName: envName ?? 'default',
    description: `Camunda 8 Console API automation: backups, nightly teardown, IP allowlist sync (${envName ?? 'default'})`,
  });
  acknowledgeFindings(stack);
  if (options.nag !== false) registerNag(app);
  return { app, stack };
}

/** The rule packs every synth runs: AWS Solutions and Serverless, as CDK policy-validation plugins. */
export function registerNag(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}
