import { faultInput, type FaultInput, type FaultSpec } from './control-schemas.ts';

export type FaultRule = FaultSpec & { id: string; remaining: number | null };

export interface TriggeredFaults {
  /** Sum of matching latency faults, applied before anything else. */
  latencyMs: number;
  /** The first matching fault that answers the call itself (error, rate-limit, body, drop). */
  answer: FaultRule | undefined;
}

const escapeRegex = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** Does `pattern` (`METHOD /path` or `/path`, `*` = anything) cover this call? */
export function endpointMatches(pattern: string | undefined, method: string, route: string): boolean {
  if (pattern === undefined) return true;
  const normalised = pattern.trim().replace(/\s+/g, ' ');
  const subject = /^(\*|[A-Za-z]+) /.test(normalised) ? `${method} ${route}` : route;
  const regex = new RegExp(`^${normalised.split('*').map(escapeRegex).join('.*')}$`, 'i');
  return regex.test(subject);
}

/** Injected faults, each optionally limited to an endpoint pattern, a count and a probability. */
export class FaultSet {
  private rules: FaultRule[] = [];
  private sequence = 0;

  add(input: FaultInput): FaultRule {
    const spec = faultInput.parse(input);
    const rule: FaultRule = { ...spec, id: `fault_${++this.sequence}`, remaining: spec.count ?? null };
    this.rules.push(rule);
    return rule;
  }

  list(): FaultRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
  }

  /** The faults that fire for one call; each that fires uses up one of its count. */
  trigger(method: string, route: string): TriggeredFaults {
    const fired: TriggeredFaults = { latencyMs: 0, answer: undefined };
    for (const rule of this.rules) {
      if (!endpointMatches(rule.endpoint, method, route)) continue;
      if (rule.kind !== 'latency' && fired.answer) continue;
      if (Math.random() >= rule.probability) continue;
      if (rule.kind === 'latency') fired.latencyMs += rule.ms;
      else fired.answer = rule;
      if (rule.remaining !== null) rule.remaining -= 1;
    }
    this.rules = this.rules.filter((rule) => rule.remaining !== 0);
    return fired;
  }
}
