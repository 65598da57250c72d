// What each state-contract test gets from `setup`: empty stores, a manual clock, and a switch that breaks
// the storage below (the DynamoDB adapters under dynalite and the in-memory fakes both provide it).
import type { StateStores } from '#lib/state/dynamo.ts';
import type { ManualClock } from '#test/fakes/clock.ts';

export interface StateContractSubject {
  stores: StateStores;
  clock: ManualClock;
  /** Every storage call below the stores fails this way until `healStorage()`. */
  breakStorage(fault: 'throttle' | 'reset'): void;
  healStorage(): void;
  /**
   * Writes an unreadable item the way a bad manual edit or a bug would: a snapshot whose saved JSON is cut
   * off, or a keep-alive without its until.
   */
  plantCorrupt(kind: 'snapshot' | 'keepAlive', key: string): Promise<void>;
}
