// What a cluster's connector secrets should be: every configured source that applies to the cluster, each of
// its source secrets turned into one or more connector secrets. Two source secrets giving one name is a
// conflict, refused with both named; so is a name the Console API would refuse. Values are never put in a
// problem text: problems name sources, source secrets and connector secret names only.
import type { SecretsSyncPolicy } from '#lib/config/schema/secrets-sync.ts';
import { matchesSelector } from '#lib/config/selector.ts';
import type { Cluster } from '#lib/console/client.ts';
import type { SecretSourceReader, SourceSecret } from '#lib/jobs/secrets-sync-ports.ts';
import { SecretSourceError } from '#lib/jobs/secrets-sync-ports.ts';
import { CONNECTOR_SECRET_NAME, MAX_CONNECTOR_SECRET_NAME } from '#lib/secrets/connector-secret-names.ts';
import type { Digest } from './digest.ts';

/** One connector secret a cluster should carry. `value` is secret material. */
export interface DesiredSecret {
  name: string;
  value: string;
  /** The configured source (config key). */
  source: string;
  /** The Secrets Manager secret it comes from. */
  from: string;
  /** The deployment's keyed digest of `value` (digest.ts): what summaries and ownership records show. */
  digest: string;
}

/** Every configured source as read at the start of a run (or re-read for one cluster). */
export type SourceReadings = ReadonlyMap<string, readonly SourceSecret[]>;

export interface DesiredState {
  secrets: Map<string, DesiredSecret>;
  /** Conflicts and unusable source secrets: the cluster is refused whole when there is any. */
  problems: string[];
  /** Applicable sources that selected no secret at all (a typo or a permission, more likely than intent). */
  emptySources: string[];
  /** Source secrets scheduled for deletion: their connector secrets are kept as they are. */
  plannedDeletion: Set<string>;
  /** The sources that apply to the cluster. */
  applicable: string[];
}

/** Reads every configured source; any failure fails the whole read (nothing may be acted on). */
export async function readSources(
  reader: SecretSourceReader,
  policy: SecretsSyncPolicy,
): Promise<Map<string, SourceSecret[]>> {
  const readings = new Map<string, SourceSecret[]>();
  for (const [name, source] of Object.entries(policy.sources)) {
    try {
      readings.set(
        name,
        await reader.read({
          ...(source.prefix !== undefined ? { prefix: source.prefix } : {}),
          ...(source.tags !== undefined ? { tags: source.tags } : {}),
        }),
      );
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new SecretSourceError(`source '${name}' could not be read: ${why}`, { cause: error });
    }
  }
  return readings;
}

/** The connector secret name a plain-string source secret gets: the last part of its name, made safe. */
export function plainSecretName(sourceSecretName: string): string {
  const last = sourceSecretName.split('/').filter(Boolean).pop() ?? sourceSecretName;
  return last.replace(/[^A-Za-z0-9_]/g, '_');
}

/** A JSON object of strings (keys become names); undefined for any other value (a plain string). */
function jsonObject(value: string): Record<string, unknown> | undefined {
  const trimmed = value.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > MAX_CONNECTOR_SECRET_NAME)
    return `is longer than ${MAX_CONNECTOR_SECRET_NAME} characters`;
  if (!CONNECTOR_SECRET_NAME.test(name)) return 'may hold only letters, digits and _';
  return undefined;
}

/** The connector secrets one source secret provides (name → value), with problems (never values). */
function provided(
  secret: SourceSecret,
  namePrefix: string,
): { pairs: Array<[string, string]>; problems: string[] } {
  const value = secret.value ?? '';
  const object = jsonObject(value);
  const problems: string[] = [];
  const pairs: Array<[string, string]> = [];
  if (object === undefined) {
    pairs.push([`${namePrefix}${plainSecretName(secret.name)}`, value]);
  } else {
    for (const [key, inner] of Object.entries(object)) {
      if (typeof inner !== 'string') {
        problems.push(`source secret '${secret.name}': key '${key}' is not a string`);
        continue;
      }
      pairs.push([`${namePrefix}${key}`, inner]);
    }
  }
  for (const [name] of pairs) {
    const problem = nameProblem(name);
    if (problem) problems.push(`source secret '${secret.name}': connector secret name '${name}' ${problem}`);
  }
  return { pairs, problems };
}

/** Whether a configured source applies to a cluster: its selector matches, or it has none. */
export function sourceApplies(cluster: Cluster, policy: SecretsSyncPolicy, source: string): boolean {
  const declared = Object.hasOwn(policy.sources, source) ? policy.sources[source] : undefined;
  if (declared === undefined) return false;
  return declared.selector === undefined || matchesSelector(cluster, declared.selector);
}

/**
 * The connector secrets `cluster` should carry, from the sources (in name order) that apply to it. A name
 * given by two source secrets is a conflict naming both; the cluster must then be refused whole.
 */
export function desiredFor(
  cluster: Cluster,
  policy: SecretsSyncPolicy,
  readings: SourceReadings,
  digest: Digest,
): DesiredState {
  const secrets = new Map<string, DesiredSecret>();
  const problems: string[] = [];
  const emptySources: string[] = [];
  const plannedDeletion = new Set<string>();
  const applicable = Object.keys(policy.sources)
    .sort()
    .filter((source) => sourceApplies(cluster, policy, source));
  for (const source of applicable) {
    const read = readings.get(source) ?? [];
    if (read.length === 0) emptySources.push(source);
    const namePrefix = policy.sources[source]?.namePrefix ?? '';
    for (const secret of [...read].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (secret.plannedDeletion || secret.value === undefined) {
        plannedDeletion.add(secret.name);
        continue;
      }
      const out = provided(secret, namePrefix);
      problems.push(...out.problems.map((p) => `source '${source}', ${p}`));
      for (const [name, value] of out.pairs) {
        const earlier = secrets.get(name);
        if (earlier !== undefined && !(earlier.source === source && earlier.from === secret.name)) {
          problems.push(
            `conflict: connector secret '${name}' is set by source '${earlier.source}' (secret '${earlier.from}') and by source '${source}' (secret '${secret.name}')`,
          );
          continue;
        }
        secrets.set(name, { name, value, source, from: secret.name, digest: digest(value) });
      }
    }
  }
  return { secrets, problems, emptySources, plannedDeletion, applicable };
}
