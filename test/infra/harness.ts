// Synthesises the app for infra tests: the real config file (or a given one), bundling skipped (the tests read
// the template, not the code), a fresh temporary output directory per synth. Plus readers for what the tests pin:
// IAM grants in a readable form, and cdk-nag findings from CDK's validation report.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll } from 'vitest';
import { buildApp } from '#infra/build-app.ts';
import type { AutomationStack } from '#infra/stack.ts';
import configFile from '../../automation.config.ts';

export { configFile };

/** Context that makes NodejsFunction skip bundling (no esbuild run; the template still has the asset). */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

export interface Synthesised {
  app: App;
  stack: AutomationStack;
  template: Template;
  /** Same as `template.toJSON()`. */
  json: TemplateJson;
  /** With `nag: true`: what cdk-nag reported during this synth. */
  validation?: Validation;
}

export interface TemplateJson {
  Resources: Record<
    string,
    {
      Type: string;
      Properties?: Record<string, unknown>;
      DeletionPolicy?: string;
      UpdateReplacePolicy?: string;
    }
  >;
  Outputs?: Record<string, { Value: unknown }>;
}

/**
 * One synth of the app; with `nag: true` the cdk-nag packs run and their report is read first. CDK's built-in
 * CloudFormation schema validation costs seconds per synth: off here (test/infra/nag.test.ts runs it).
 */
export function synth(options: { configFile?: unknown; envName?: string; nag?: boolean } = {}): Synthesised {
  const nag = options.nag ?? false;
  const { app, stack } = buildApp({
    configFile: options.configFile ?? configFile,
    envName: options.envName,
    nag,
    appProps: { context: SKIP_BUNDLING, builtinCloudFormationValidation: false },
  });
  const validation = nag ? validate(app) : undefined;
  // Reuses the assembly of the synth above (App caches it); synthesises now without nag.
  const template = Template.fromStack(stack);
  return { app, stack, template, json: template.toJSON() as TemplateJson, validation };
}

/**
 * One synth for a whole test file, made in its `beforeAll` (synth takes seconds: the timeout allows for a
 * loaded machine); the returned function reads it in the tests.
 */
export function synthBeforeAll(options: Parameters<typeof synth>[0] | (() => Parameters<typeof synth>[0])) {
  let synthesised: Synthesised | undefined;
  beforeAll(() => {
    synthesised = synth(typeof options === 'function' ? options() : options);
  }, 180_000);
  return (): Synthesised => {
    if (!synthesised) throw new Error('the stack is synthesised in beforeAll: read it inside a test');
    return synthesised;
  };
}

/** The real config file without its environments: the base a test varies for a synth of its own. */
export function configWithoutEnvironments() {
  const { environments: _unused, ...base } = structuredClone(configFile);
  return base;
}

/** One synth with cdk-nag for a test file, of the real config without its environments and with the settings
 * `vary` returns in place of the base's. */
export function synthVariantBeforeAll(vary: (base: ReturnType<typeof configWithoutEnvironments>) => object) {
  return synthBeforeAll(() => {
    const base = configWithoutEnvironments();
    return { nag: true, configFile: { ...base, ...vary(base) } };
  });
}

/** A resource's properties; throws when there is no such resource (so a test fails with its id). */
export function propsOf(json: TemplateJson, id: string): Record<string, unknown> {
  const props = json.Resources[id]?.Properties;
  if (!props) throw new Error(`no resource ${id} (with properties) in the template`);
  return props;
}

export type Props = Record<string, unknown>;

/** Every resource of a CloudFormation type, as `[logical id, resource]` pairs. */
export function resourcesOfType(json: TemplateJson, type: string): Array<[string, { Properties: Props }]> {
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type) as Array<
    [string, { Properties: Props }]
  >;
}

/** The properties of every resource of a CloudFormation type. */
export function propertiesOfType(json: TemplateJson, type: string): Props[] {
  return resourcesOfType(json, type).map(([, r]) => r.Properties);
}

/** The logical id of a construct's CloudFormation resource (its default child, or itself). */
export function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).resolve(Stack.of(construct).getLogicalId(element)) as string;
}

/** Readable names of the stack's shared resources (table, keys, secrets, bus, dead letters) by logical id. */
export function sharedResourceNames(stack: AutomationStack): Record<string, string> {
  return {
    [logicalId(stack.table.table)]: 'Table',
    [logicalId(stack.table.key)]: 'TableKey',
    [logicalId(stack.secretsKey)]: 'SecretsKey',
    [logicalId(stack.consoleSecret)]: 'ConsoleSecret',
    ...Object.fromEntries(
      Object.entries(stack.webhookSecrets).map(([sender, secret]) => [logicalId(secret), `${sender}Secret`]),
    ),
    [logicalId(stack.bus)]: 'Bus',
    [logicalId(stack.deadLetters)]: 'DeadLetters',
  };
}

/** Renders a CloudFormation value (Ref, GetAtt, Join) as text: `{Ref: X}` → `X`, GetAtt → `X.Arn`. */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(render).join(',');
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return v.Ref;
    const getAtt = v['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return getAtt.map(String).join('.');
    const join = v['Fn::Join'];
    if (Array.isArray(join) && Array.isArray(join[1])) return join[1].map(render).join(String(join[0]));
  }
  return JSON.stringify(value);
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: unknown;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every IAM policy statement in the template, with the logical ids of the roles it is attached to. */
export function iamStatements(json: TemplateJson): Array<{ roles: string[]; statement: Statement }> {
  const out: Array<{ roles: string[]; statement: Statement }> = [];
  for (const resource of Object.values(json.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const props = resource.Properties as { Roles?: unknown[]; PolicyDocument: { Statement: Statement[] } };
    const roles = list(props.Roles).map(render);
    for (const statement of props.PolicyDocument.Statement) out.push({ roles, statement });
  }
  return out;
}

/**
 * A role's permissions as sorted `Effect action -> resource` lines, one per action and resource, with the
 * logical ids in the resources replaced by the names given (e.g. `{ [tableId]: 'Table' }`).
 */
export function grantsOf(json: TemplateJson, roleLogicalId: string, names: Record<string, string>): string[] {
  const rename = (text: string) =>
    Object.entries(names).reduce((acc, [id, name]) => acc.split(id).join(name), text);
  const lines: string[] = [];
  for (const { roles, statement } of iamStatements(json)) {
    if (!roles.includes(roleLogicalId)) continue;
    for (const action of list(statement.Action)) {
      for (const resource of list(statement.Resource as unknown)) {
        lines.push(`${statement.Effect} ${action} -> ${rename(render(resource))}`);
      }
    }
  }
  return lines.sort();
}

// ---------------------------------------------------------------------------------------------------------------
// cdk-nag through CDK's policy-validation report

export interface Finding {
  plugin: string;
  rule: string;
  severity: string;
  paths: string[];
}

export interface Suppressed extends Finding {
  reason: string;
}

interface ValidationReport {
  pluginReports: Array<{
    pluginName: string;
    conclusion: string;
    violations: Array<{
      ruleName: string;
      severity?: string;
      violatingConstructs: Array<{ constructPath?: string }>;
    }>;
    suppressedViolations?: Array<{
      ruleName: string;
      severity?: string;
      reason?: string;
      violatingConstructs: Array<{ constructPath?: string }>;
    }>;
  }>;
}

/**
 * Synthesises `app` with its validation plugins and reads CDK's validation report (`validation-report.json` in
 * the cloud assembly): every unacknowledged finding of every severity (CDK only fails synth on errors; warnings
 * count here too), and every acknowledged one with its reason. `synthError` is set when synth threw.
 */
export interface Validation {
  /** The plugins that reported (cdk-nag packs are named by their pack: AwsSolutions, Serverless). */
  plugins: string[];
  findings: Finding[];
  suppressed: Suppressed[];
  synthError?: Error;
}

export function validate(app: App): Validation {
  let synthError: Error | undefined;
  try {
    app.synth();
  } catch (error) {
    synthError = error as Error;
  }
  const file = join(app.outdir, 'validation-report.json');
  if (!existsSync(file)) {
    throw new Error(
      `no validation report in ${app.outdir}${synthError ? `: synth failed: ${synthError.message}` : ''}`,
    );
  }
  const report = JSON.parse(readFileSync(file, 'utf8')) as ValidationReport;
  const findings: Finding[] = [];
  const suppressed: Suppressed[] = [];
  for (const r of report.pluginReports) {
    for (const v of r.violations) {
      findings.push({
        plugin: r.pluginName,
        rule: v.ruleName,
        severity: v.severity ?? 'unknown',
        paths: v.violatingConstructs.map((c) => c.constructPath ?? '?'),
      });
    }
    for (const v of r.suppressedViolations ?? []) {
      suppressed.push({
        plugin: r.pluginName,
        rule: v.ruleName,
        severity: v.severity ?? 'unknown',
        paths: v.violatingConstructs.map((c) => c.constructPath ?? '?'),
        reason: v.reason ?? '',
      });
    }
  }
  return { plugins: report.pluginReports.map((r) => r.pluginName), findings, suppressed, synthError };
}
