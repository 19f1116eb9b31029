import { webhookTopics, webhookTriggers } from './control-schemas.ts';
import { validationError } from './laravel-errors.ts';

export interface WebhookFields {
  topic: string;
  trigger: string;
  url: string;
  status?: 'active' | 'inactive';
}

const oneOf = (values: readonly string[]) => `Must be one of the following values: ${values.join(', ')}`;

/** Validates a POST/PUT /webhooks body the way Loop does; a 422 body when it is wrong. */
export function validateWebhookBody(
  body: unknown,
): { ok: true; fields: WebhookFields } | { ok: false; error: ReturnType<typeof validationError> } {
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const invalid: Record<string, string> = {};
  const required = (field: string) => {
    const value = input[field];
    if (value === undefined || value === null || value === '')
      invalid[field] = `The ${field} field is required.`;
    return typeof value === 'string' ? value : undefined;
  };
  const topic = required('topic');
  const trigger = required('trigger');
  const url = required('url');
  if (topic !== undefined && !(webhookTopics as readonly string[]).includes(topic))
    invalid.topic = oneOf(webhookTopics);
  if (trigger !== undefined && !(webhookTriggers as readonly string[]).includes(trigger)) {
    invalid.trigger = oneOf(webhookTriggers);
  }
  if (url !== undefined && !/^https?:\/\/[^\s/]+/.test(url)) invalid.url = 'The url must be a valid URL.';
  const status = input.status;
  if (status !== undefined && status !== 'active' && status !== 'inactive')
    invalid.status = oneOf(['active', 'inactive']);
  const knownStatus = status === 'active' || status === 'inactive' ? status : undefined;
  if (Object.keys(invalid).length > 0 || !topic || !trigger || !url)
    return { ok: false, error: validationError(invalid) };
  return {
    ok: true,
    fields: { topic, trigger, url, ...(knownStatus === undefined ? {} : { status: knownStatus }) },
  };
}
