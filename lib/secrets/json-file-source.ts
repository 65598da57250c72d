// The SecretSourceReader of local runs (`npm start`, `npm run invoke -- secrets-sync sync`): a JSON file that
// stands in for Secrets Manager, read afresh on every call so that editing it is a "rotation".
//
//   { "secrets": [ { "name": "camunda/payments/PAYMENT_KEY", "value": "…", "tags": { "team": "payments" } },
//                  { "name": "camunda/payments/mail", "value": "{\"SMTP_PASSWORD\":\"…\"}" },
//                  { "name": "camunda/old", "value": "…", "deleted": true } ] }
//
// `deleted: true` is a secret scheduled for deletion. Selection is the same as on AWS: name prefix and tags.
import { readFile } from 'node:fs/promises';
import { SecretSourceError, type SecretSourceReader, type SourceSecret } from './source.ts';

/** Env: the local source file (default `local/secrets-source.json` of the working directory). */
export const LOCAL_SECRETS_FILE_ENV = 'SECRETS_SYNC_LOCAL_FILE';

interface FileSecret {
  name: string;
  value: string;
  tags?: Record<string, string>;
  deleted?: boolean;
}

function parse(text: string, path: string): FileSecret[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SecretSourceError(`local secrets file ${path} is not valid JSON`);
  }
  const list = (parsed as { secrets?: unknown } | null)?.secrets;
  if (!Array.isArray(list))
    throw new SecretSourceError(`local secrets file ${path}: expected { "secrets": [ … ] }`);
  return list.map((item, i) => {
    const s = item as Partial<FileSecret> | null;
    if (typeof s?.name !== 'string' || s.name === '' || typeof s.value !== 'string') {
      throw new SecretSourceError(
        `local secrets file ${path}: secrets[${i}] needs a name and a string value`,
      );
    }
    return s as FileSecret;
  });
}

export function jsonFileSource(path: string): SecretSourceReader {
  return {
    async read(query) {
      const text = await readFile(path, 'utf8').catch((error: unknown) => {
        throw new SecretSourceError(`local secrets file ${path} cannot be read`, { cause: error });
      });
      const out: SourceSecret[] = [];
      for (const s of parse(text, path).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (query.prefix !== undefined && !s.name.startsWith(query.prefix)) continue;
        if (!Object.entries(query.tags ?? {}).every(([k, v]) => s.tags?.[k] === v)) continue;
        out.push(
          s.deleted
            ? { name: s.name, plannedDeletion: true }
            : { name: s.name, value: s.value, plannedDeletion: false },
        );
      }
      return out;
    },
  };
}
