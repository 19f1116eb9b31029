import { z } from 'zod';

const scope = {
  /** Endpoint label to match (`POST /:account/api/return`); `*` matches anything. Absent: every endpoint. */
  endpoint: z.string().min(1).optional(),
  /** How many calls the fault hits before it expires. Absent: until cleared. */
  count: z.number().int().positive().optional(),
};

export const faultSpecSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('server-error'),
    status: z.number().int().min(500).max(599).default(503),
    /** Share of matching calls that fail, 0..1. */
    rate: z.number().min(0).max(1).default(1),
    ...scope,
  }),
  z.object({
    kind: z.literal('rate-limit'),
    /** Unit of `X-RateLimit-Reset`: public clients report both. */
    resetUnit: z.enum(['seconds', 'milliseconds']).default('seconds'),
    resetInMs: z.number().int().min(0).default(1000),
    omitReset: z.boolean().default(false),
    ...scope,
  }),
  z.object({ kind: z.literal('latency'), ms: z.number().int().min(0), ...scope }),
  z.object({
    kind: z.literal('error-body'),
    /** The 2xx-with-error shapes third-party clients guard against. */
    shape: z.enum(['plain-string', 'success-false', 'error-message', 'errors']),
    message: z.string().min(1).default('Simulated Finale failure'),
    ...scope,
  }),
  /** The socket is destroyed without an answer; nothing is applied. */
  z.object({ kind: z.literal('drop'), ...scope }),
  /** The request takes effect, then the socket is destroyed: a create that timed out but happened. */
  z.object({ kind: z.literal('apply-then-drop'), ...scope }),
  /** The request takes effect and answers 2xx, but without the record's own URLs. */
  z.object({ kind: z.literal('missing-url'), ...scope }),
]);

export type FaultSpec = z.input<typeof faultSpecSchema>;
export type Fault = z.output<typeof faultSpecSchema> & { id: number };
export type OutcomeFault = Exclude<Fault, { kind: 'latency' }>;

const globToRegExp = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

/** Injected faults, applied in the order they were added. */
export class FaultInjector {
  private faults: Fault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): Fault {
    const fault = { ...faultSpecSchema.parse(spec), id: this.nextId++ };
    this.faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return [...this.faults];
  }

  clear(): void {
    this.faults = [];
  }

  /** The faults one call meets: the sum of every matching latency, and at most one outcome. */
  take(endpoint: string): { delayMs: number; outcome?: OutcomeFault } {
    let delayMs = 0;
    let outcome: OutcomeFault | undefined;
    for (const fault of this.faults) {
      if (fault.endpoint !== undefined && !globToRegExp(fault.endpoint).test(endpoint)) continue;
      if (fault.kind === 'latency') delayMs += fault.ms;
      else if (outcome) continue;
      else if (fault.kind === 'server-error' && Math.random() >= fault.rate) continue;
      else outcome = fault;
      if (fault.count !== undefined) fault.count -= 1;
    }
    this.faults = this.faults.filter((fault) => fault.count === undefined || fault.count > 0);
    return { delayMs, outcome };
  }
}
