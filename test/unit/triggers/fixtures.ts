// Real event shapes from test/fixtures/events, read fresh for every use (tests may change them).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../fixtures/events/', import.meta.url));

export function eventFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${dir}${name}.json`, 'utf8')) as Record<string, unknown>;
}

/** 2026-01-15T21:00:00Z, the time the webhook fixtures were sent. */
export const NOW_MS = Date.UTC(2026, 0, 15, 21, 0, 0);
export const NOW_S = NOW_MS / 1000;

export const SECRET_OLD = `whsec_${Buffer.from('old-signing-key-0123456789abcdef').toString('base64')}`;
export const SECRET_NEW = `whsec_${Buffer.from('new-signing-key-fedcba9876543210').toString('base64')}`;
export const SECRET_OTHER = `whsec_${Buffer.from('someone-elses-key-000000000000000').toString('base64')}`;
