import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { ControlError } from './control-error.ts';

/** Options every fault takes: where it applies, how often, and for how many calls. */
const scope = {
  /**
   * Endpoint label as the call counts list it (`METHOD /route`); a pattern without a method matches the
   * route under any method; `*` matches anything; case-insensitive. Absent: every endpoint.
   */
  endpoint: z.string().min(1).optional(),
  /** How many calls the fault hits before it disappears. Absent: until removed. */
  count: z.number().int().positive().optional(),
  /** Chance, 0..1, that the fault hits a matching call. */
  probability: z.number().min(0).max(1).default(1),
};

/** The faults both simulators understand; each simulator lists the kinds it supports. */
export const faultSpecSchema = z.discriminatedUnion('kind', [
  /** A 5xx answer in the API's own style. */
  z.object({
    kind: z.literal('server-error'),
    status: z.number().int().min(500).max(599).default(503),
    ...scope,
  }),
  /** A 429 answer in the API's own style. */
  z.object({
    kind: z.literal('rate-limit'),
    /** A `Retry-After` header value, sent as given (neither API documents one). */
    retryAfter: z.string().optional(),
    /** When Finale's `X-RateLimit-Reset` says the limit resets, from now (Finale: default 1000). */
    resetInMs: z.number().int().min(0).optional(),
    /** Unit of Finale's `X-RateLimit-Reset` epoch timestamp: public clients report both (default seconds). */
    resetUnit: z.enum(['seconds', 'milliseconds']).optional(),
    /** Leaves Finale's `X-RateLimit-Reset` out. */
    omitReset: z.boolean().optional(),
    ...scope,
  }),
  /** Delays the call, which then proceeds (or meets another fault). */
  z.object({ kind: z.literal('latency'), ms: z.number().int().min(0).max(120_000), ...scope }),
  /** Answers `status` with this JSON `body` or plain `text` instead of the real answer; nothing is applied. */
  z
    .object({
      kind: z.literal('body'),
      status: z.number().int().min(200).max(599).default(200),
      body: z.json().optional(),
      text: z.string().optional(),
      ...scope,
    })
    .refine((fault) => (fault.body === undefined) !== (fault.text === undefined), {
      message: 'a body fault takes exactly one of body (JSON) or text',
    }),
  /**
   * A 200 JSON answer `bytes` long (an object padded with one long string), streamed without ever being
   * held whole, declared by Content-Length or, with `chunked`, not; nothing is applied.
   */
  z.object({
    kind: z.literal('huge-body'),
    bytes: z
      .number()
      .int()
      .min(16)
      .max(2 ** 34),
    chunked: z.boolean().default(false),
    ...scope,
  }),
  /** A list page with no records whose `nextPageUrl` leads to yet another page, for ever. */
  z.object({ kind: z.literal('endless-pages'), ...scope }),
  /** The socket is destroyed without an answer; nothing is applied. */
  z.object({ kind: z.literal('drop'), ...scope }),
  /** The request takes effect, then the socket is destroyed: a create that timed out but happened. */
  z.object({ kind: z.literal('apply-then-drop'), ...scope }),
  /** The request takes effect and answers 2xx, but without the record's own `…Url` fields. */
  z.object({ kind: z.literal('missing-url'), ...scope }),
]);

export type FaultSpec = z.input<typeof faultSpecSchema>;
export type FaultKind = FaultSpec['kind'];

/** Every kind once, in the schema's order: a record, so that a kind added to the schema must be added here. */
const everyKind: Record<FaultKind, true> = {
  'server-error': true,
  'rate-limit': true,
  latency: true,
  body: true,
  'huge-body': true,
  'endless-pages': true,
  drop: true,
  'apply-then-drop': true,
  'missing-url': true,
};

/** The kinds a simulator supports: every kind but those its API has no counterpart of. */
export function faultKindsExcept<Missing extends FaultKind>(
  ...missing: Missing[]
): Exclude<FaultKind, Missing>[] {
  return (Object.keys(everyKind) as FaultKind[]).filter(
    (kind): kind is Exclude<FaultKind, Missing> => !(missing as FaultKind[]).includes(kind),
  );
}
/** An added fault; `Kind` narrows it to the kinds a simulator supports. */
export type Fault<Kind extends FaultKind = FaultKind> = Extract<
  z.output<typeof faultSpecSchema>,
  { kind: Kind }
> & {
  /** `fault_1`, `fault_2`, … */
  id: string;
  /** Calls left before the fault disappears; null: until removed. */
  remaining: number | null;
};
/** A fault that decides a call's outcome, as opposed to a latency that only delays it. */
export type OutcomeFault<Kind extends FaultKind = FaultKind> = Exclude<Fault<Kind>, { kind: 'latency' }>;

const escapeRegex = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** Does `pattern` cover this endpoint label (`METHOD /route`)? See `endpoint` above. */
export function endpointMatches(pattern: string | undefined, endpoint: string): boolean {
  if (pattern === undefined) return true;
  const normalised = pattern.trim().replace(/\s+/g, ' ');
  const subject = /^(\*|[A-Za-z]+) /.test(normalised) ? endpoint : endpoint.slice(endpoint.indexOf(' ') + 1);
  return new RegExp(`^${normalised.split('*').map(escapeRegex).join('.*')}$`, 'i').test(subject);
}

/** Injected faults, applied in the order they were added. */
export class FaultSet<Kind extends FaultKind = FaultKind> {
  // Only kinds in `Kind` are ever added; the narrower type is given back where faults leave the set.
  private faults: Fault[] = [];
  private sequence = 0;

  /** `kinds`: those the simulator supports; others are refused when added. */
  constructor(private readonly kinds: readonly Kind[]) {}

  add(input: FaultSpec): Fault<Kind> {
    const spec = faultSpecSchema.parse(input);
    if (!(this.kinds as readonly FaultKind[]).includes(spec.kind)) {
      throw new ControlError(
        400,
        `unsupported fault kind ${spec.kind}; this simulator has ${this.kinds.join(', ')}`,
      );
    }
    const fault: Fault = { ...spec, id: `fault_${++this.sequence}`, remaining: spec.count ?? null };
    this.faults.push(fault);
    return fault as Fault<Kind>;
  }

  list(): Fault<Kind>[] {
    return this.faults.map((fault) => ({ ...fault }) as Fault<Kind>);
  }

  remove(id: string): void {
    if (!this.faults.some((fault) => fault.id === id)) throw new ControlError(404, `no fault ${id}`);
    this.faults = this.faults.filter((fault) => fault.id !== id);
  }

  clear(): void {
    this.faults = [];
  }

  /**
   * The faults one call meets: every matching latency adds up, and the first matching other fault decides
   * the outcome. Each fault that hits uses up one of its count.
   */
  take(endpoint: string): { latencyMs: number; outcome: OutcomeFault<Kind> | undefined } {
    let latencyMs = 0;
    let outcome: OutcomeFault | undefined;
    for (const fault of this.faults) {
      if (!endpointMatches(fault.endpoint, endpoint)) continue;
      if (fault.kind !== 'latency' && outcome) continue;
      if (Math.random() >= fault.probability) continue;
      if (fault.kind === 'latency') latencyMs += fault.ms;
      else outcome = fault;
      if (fault.remaining !== null) fault.remaining -= 1;
    }
    this.faults = this.faults.filter((fault) => fault.remaining !== 0);
    return { latencyMs, outcome: outcome as OutcomeFault<Kind> | undefined };
  }

  /** Waits out the latency this call meets, then answers the fault that decides its outcome, if any. */
  async meet(endpoint: string): Promise<OutcomeFault<Kind> | undefined> {
    const { latencyMs, outcome } = this.take(endpoint);
    if (latencyMs > 0) await sleep(latencyMs);
    return outcome;
  }
}
