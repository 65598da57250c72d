// The SecretSourceReader on AWS Secrets Manager: ListSecrets (name prefix, tags; secrets scheduled for deletion
// included and flagged), then GetSecretValue per selected secret. The name and tag filters are checked again
// here: Secrets Manager's filters match words and prefixes loosely, and a source must read only its own secrets.
import {
  GetSecretValueCommand,
  ListSecretsCommand,
  type ListSecretsCommandInput,
  type SecretListEntry,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  SecretSourceError,
  type SecretSourceQuery,
  type SecretSourceReader,
  type SourceSecret,
} from './source.ts';

/** The error names under which a listed secret turned out gone or scheduled for deletion at read time. */
const GONE_AT_READ = new Set(['ResourceNotFoundException', 'InvalidRequestException']);

function matches(entry: SecretListEntry, query: SecretSourceQuery): boolean {
  const name = entry.Name ?? '';
  if (query.prefix !== undefined && !name.startsWith(query.prefix)) return false;
  const tags = new Map((entry.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  return Object.entries(query.tags ?? {}).every(([key, value]) => tags.get(key) === value);
}

function filtersOf(query: SecretSourceQuery): ListSecretsCommandInput['Filters'] {
  const filters: NonNullable<ListSecretsCommandInput['Filters']> = [];
  if (query.prefix) filters.push({ Key: 'name', Values: [query.prefix] });
  for (const [key, value] of Object.entries(query.tags ?? {})) {
    filters.push({ Key: 'tag-key', Values: [key] }, { Key: 'tag-value', Values: [value] });
  }
  return filters;
}

const errorName = (error: unknown): string =>
  error instanceof Error ? error.name : typeof error === 'string' ? error : 'Error';

export function secretsManagerSource(client: SecretsManagerClient): SecretSourceReader {
  return {
    async read(query) {
      const entries: SecretListEntry[] = [];
      let token: string | undefined;
      do {
        const page = await client
          .send(
            new ListSecretsCommand({
              Filters: filtersOf(query),
              IncludePlannedDeletion: true,
              MaxResults: 100,
              ...(token ? { NextToken: token } : {}),
            }),
          )
          .catch((error: unknown) => {
            throw new SecretSourceError(`ListSecrets failed: ${errorName(error)}`, { cause: error });
          });
        entries.push(...(page.SecretList ?? []).filter((e) => matches(e, query)));
        token = page.NextToken;
      } while (token);

      const out: SourceSecret[] = [];
      for (const entry of entries.sort((a, b) => ((a.Name ?? '') < (b.Name ?? '') ? -1 : 1))) {
        const name = entry.Name ?? '';
        if (entry.DeletedDate !== undefined) {
          out.push({ name, plannedDeletion: true });
          continue;
        }
        try {
          const got = await client.send(new GetSecretValueCommand({ SecretId: entry.ARN ?? name }));
          if (got.SecretString === undefined) {
            throw new SecretSourceError(
              `secret '${name}' holds binary data; a source secret must be a string or a JSON object of strings`,
            );
          }
          out.push({ name, value: got.SecretString, plannedDeletion: false });
        } catch (error) {
          if (error instanceof SecretSourceError) throw error;
          // Deleted (or scheduled for deletion) between the listing and the read: kept, as a planned deletion.
          if (GONE_AT_READ.has(errorName(error))) {
            out.push({ name, plannedDeletion: true });
            continue;
          }
          // The SDK's message never carries the value; the name alone is enough for a summary.
          throw new SecretSourceError(`GetSecretValue of '${name}' failed: ${errorName(error)}`, {
            cause: error,
          });
        }
      }
      return out;
    },
  };
}
