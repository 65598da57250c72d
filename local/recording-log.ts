import type { Log } from '#lib/log/log.ts';

export interface RecordedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  data?: Record<string, unknown>;
}

/** A `Log` that keeps every line, for tests that assert on logging (and scan it for secrets). */
export function recordingLog(): Log & { lines: RecordedLine[] } {
  const lines: RecordedLine[] = [];
  const at =
    (level: RecordedLine['level']) =>
    (message: string, data?: Record<string, unknown>): void => {
      lines.push({ level, message, data });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
