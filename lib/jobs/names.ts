/** `allowlist-sync` → `AllowlistSync`, `backup-created` → `BackupCreated` (metric and construct names). */
export function pascalCase(s: string): string {
  return s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => `${w[0]?.toUpperCase()}${w.slice(1)}`)
    .join('');
}
