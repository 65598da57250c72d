// What every in-memory store shares with the table it stands in for: values copied through JSON, items in
// the table's key order, ttl expiry judged on read, and the per-operation gate that counts calls and injects
// the StateStoreError a DynamoDB fault would give.
import { type StateOperation, StateStoreError } from '#lib/state/errors.ts';
import { isExpiredAt } from '#lib/state/keys.ts';

export type StorageFault = 'throttle' | 'reset';

/** The per-operation hook every store calls first (see `createOperationGate`). */
export type Enter = (operation: StateOperation) => void;

export interface Clock {
  now(): number;
}

export const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** DynamoDB returns a partition's items in UTF-8 byte order of the sort key. */
export const byKey = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

function faultError(operation: StateOperation, fault: StorageFault): StateStoreError {
  const cause =
    fault === 'throttle'
      ? Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
          name: 'ThrottlingException',
        })
      : Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  return new StateStoreError(operation, cause);
}

export interface Stored<T> {
  value: T;
  ttl?: number;
}

/** The value of an item, or undefined once its ttl has passed (the table may still hold it). */
export const live = <T>(entry: Stored<T> | undefined, now: number): T | undefined =>
  entry && !isExpiredAt(entry.ttl, now) ? entry.value : undefined;

/** Counts every operation and injects faults before any state is touched. */
export function createOperationGate(): {
  enter: Enter;
  calls: Partial<Record<StateOperation, number>>;
  fail(operation: StateOperation | '*', fault?: StorageFault, times?: number): void;
  heal(): void;
} {
  const faults: Array<{ operation: StateOperation | '*'; fault: StorageFault; left: number }> = [];
  const calls: Partial<Record<StateOperation, number>> = {};

  /** Every operation passes here first: count, inject faults. */
  const enter = (operation: StateOperation): void => {
    calls[operation] = (calls[operation] ?? 0) + 1;
    const rule = faults.find((f) => (f.operation === operation || f.operation === '*') && f.left > 0);
    if (rule) {
      rule.left--;
      throw faultError(operation, rule.fault);
    }
  };

  return {
    enter,
    calls,
    fail(operation, fault = 'throttle', times = Number.POSITIVE_INFINITY) {
      faults.push({ operation, fault, left: times });
    },
    heal() {
      faults.length = 0;
    },
  };
}
