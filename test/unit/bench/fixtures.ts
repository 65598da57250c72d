// What every benchmark report test starts from: the machine it ran on and when.

/** The machine and date of a test report, run with `command`. */
export function ranOn(command: string) {
  return {
    machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 8, os: 'TestOS', node: 'v20.0.0' },
    date: '2026-01-01T00:00:00Z',
    command,
  };
}
