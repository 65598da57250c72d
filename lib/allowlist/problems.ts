// Why a list was refused: the problem record every allowlist check produces, and the error that carries them.
// Kept apart so that the parser, the breadth measure and the list validation can all report in one shape.

/** One reason a list was refused. `index` is the entry's position in the input, -1 for the list as a whole. */
export interface EntryProblem {
  index: number;
  field: 'cidr' | 'description' | 'entry';
  /** The offending value (cut to {@link PROBLEM_VALUE_LENGTH} characters). */
  value: string;
  message: string;
}

const PROBLEM_VALUE_LENGTH = 80;
/** Problems spelt out in an error message; the rest are counted (all are in `problems`). */
const MESSAGE_PROBLEMS = 20;

/** The input is not an acceptable allowlist. `problems` names every entry and field at fault. */
export class AllowlistValidationError extends Error {
  override readonly name = 'AllowlistValidationError';
  readonly problems: EntryProblem[];

  constructor(problems: EntryProblem[], options: { cause?: unknown } = {}) {
    super(formatProblems(problems), { cause: options.cause });
    this.problems = problems;
  }
}

function formatProblems(problems: readonly EntryProblem[]): string {
  const shown = problems.slice(0, MESSAGE_PROBLEMS).map((p) => {
    const where = p.index < 0 ? 'list' : `[${p.index}].${p.field}`;
    return p.value === '' ? `${where}: ${p.message}` : `${where} '${p.value}': ${p.message}`;
  });
  const more = problems.length > MESSAGE_PROBLEMS ? `; and ${problems.length - MESSAGE_PROBLEMS} more` : '';
  return `allowlist refused: ${shown.join('; ')}${more}`;
}

export function clip(value: string): string {
  return value.length > PROBLEM_VALUE_LENGTH ? `${value.slice(0, PROBLEM_VALUE_LENGTH - 1)}…` : value;
}

export function show(value: unknown): string {
  if (typeof value === 'string') return clip(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
