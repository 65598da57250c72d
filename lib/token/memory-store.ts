// The token store of one container: the same port and the same rules as the DynamoDB item (lease,
// fencing, pause, rejection, pacing, capped invalidation), kept in a Map. Used when there is no state
// table (local runs) and, with `token.storeUnavailable: 'local-auth'`, while the table cannot be read, so
// the provider runs one state machine whatever holds its state.
import type { Lease, LeaseRequest, SharedTokenState, TokenStore } from './shared-store.ts';
import { leaseAvailable } from './timing.ts';

interface Item extends SharedTokenState {
  invalidatedAt?: number;
}

export function memoryTokenStore(): TokenStore {
  const items = new Map<string, Item>();
  const itemOf = (key: string): Item => {
    let item = items.get(key);
    if (!item) {
      item = {};
      items.set(key, item);
    }
    return item;
  };
  const held = (key: string, owner: string): Item | undefined => {
    const item = items.get(key);
    return item?.leaseOwner === owner ? item : undefined;
  };
  const stateOf = (item: Item): SharedTokenState => {
    const { invalidatedAt: _internal, ...state } = item;
    return state;
  };
  const setToken = (item: Item, token: string, expiresAt: number, refreshAt: number | undefined) => {
    item.token = token;
    item.expiresAt = expiresAt;
    item.refreshAt = refreshAt;
    item.version = (item.version ?? 0) + 1;
    return item.version;
  };
  const endLease = (item: Item) => {
    item.leaseOwner = undefined;
    item.leaseUntil = undefined;
  };

  return {
    scope: 'container',

    async read(key) {
      const item = items.get(key);
      return item ? stateOf(item) : {};
    },

    async tryLease(key, request: LeaseRequest): Promise<Lease | undefined> {
      const item = itemOf(key);
      if (!leaseAvailable(item, request)) return undefined;
      const previous = stateOf(item);
      item.leaseOwner = request.owner;
      item.leaseUntil = request.now + request.leaseMs;
      item.lastAuthAt = request.now;
      return { owner: request.owner, previous };
    },

    async publish(key, owner, token, expiresAt, _now, refreshAt) {
      const item = held(key, owner);
      if (!item) return undefined;
      endLease(item);
      item.blockedUntil = undefined;
      item.failures = undefined;
      item.blockReason = undefined;
      item.rejectedFingerprint = undefined;
      return setToken(item, token, expiresAt, refreshAt);
    },

    async publishLate(key, token, expiresAt, _now, refreshAt) {
      const item = itemOf(key);
      if (item.expiresAt !== undefined && item.expiresAt >= expiresAt) return undefined;
      return setToken(item, token, expiresAt, refreshAt);
    },

    async recordBlocked(key, owner, blockedUntil, failures, reason) {
      const item = held(key, owner);
      if (!item) return;
      endLease(item);
      item.blockedUntil = blockedUntil;
      item.failures = failures;
      item.blockReason = reason;
    },

    async recordRejected(key, owner, fingerprint) {
      const item = held(key, owner);
      if (!item) return;
      endLease(item);
      item.rejectedFingerprint = fingerprint;
    },

    async invalidate(key, version, now, notInvalidatedSince) {
      const item = items.get(key);
      if (!item || item.version !== version || item.token === undefined) return false;
      if (item.invalidatedAt !== undefined && item.invalidatedAt > notInvalidatedSince) return false;
      item.invalidatedAt = now;
      item.token = undefined;
      item.expiresAt = undefined;
      item.refreshAt = undefined;
      return true;
    },
  };
}
