// Fault injection: per route, latency / an error status / a reset socket / no answer at all.
import { spec } from '#local/sim/spec.ts';
import type { Fault, FaultHandle } from '#local/sim/types.ts';

interface ActiveFault {
  fault: Fault;
  remaining: number;
}

export interface FaultDecision {
  /** Sum of the matching 'latency' faults. */
  latencyMs: number;
  /** The first matching 'status' / 'reset' / 'hang' fault. */
  terminal?: Fault;
}

const KNOWN_ROUTES = new Set(
  Object.entries(spec.paths).flatMap(([template, ops]) =>
    Object.keys(ops).map((method) => `${method.toUpperCase()} ${template}`),
  ),
);

export class FaultRegistry {
  #active: ActiveFault[] = [];

  add(fault: Fault): FaultHandle {
    const route = fault.route === 'oauth' || fault.route === '*' ? fault.route : normalizeRoute(fault.route);
    if (route !== 'oauth' && route !== '*' && !KNOWN_ROUTES.has(route)) {
      throw new Error(
        `fault route '${fault.route}' is not 'oauth', '*' or a 'METHOD /template' from the spec`,
      );
    }
    if (fault.kind === 'status' && fault.status === undefined)
      throw new Error("a 'status' fault needs a status");
    const entry: ActiveFault = {
      fault: { ...fault, route },
      remaining: fault.times ?? Number.POSITIVE_INFINITY,
    };
    this.#active.push(entry);
    return {
      remove: () => {
        this.#active = this.#active.filter((a) => a !== entry);
      },
    };
  }

  clear(): void {
    this.#active = [];
  }

  /** Consumes the faults that apply to one request. `route` is 'oauth' or 'METHOD /template'. */
  take(route: string): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0 };
    for (const a of this.#active) {
      const f = a.fault;
      const matches = f.route === route || (f.route === '*' && route !== 'oauth');
      if (!matches || a.remaining <= 0) continue;
      if (f.kind === 'latency') {
        decision.latencyMs += f.latencyMs ?? 0;
      } else if (decision.terminal) {
        continue;
      } else {
        decision.terminal = f;
      }
      a.remaining -= 1;
    }
    this.#active = this.#active.filter((a) => a.remaining > 0);
    return decision;
  }
}

function normalizeRoute(route: string): string {
  const [method, ...rest] = route.trim().split(/\s+/);
  return `${(method ?? '').toUpperCase()} ${rest.join(' ')}`;
}
