// Tells a person when a return needs attention, and again when it recovers: one Slack-compatible message
// per incident, posted to a configured incoming-webhook URL.
import got from 'got';
import { returnWorkflowId } from '../workflows/ids.ts';
import type { ReturnIssue } from '../workflows/messages.ts';

export interface AlertDeps {
  /** Slack-compatible incoming webhook; without it alerts are logged only. */
  webhookUrl?: string;
  /** Temporal Web UI base URL and namespace, for a link straight to the return. */
  webUiUrl?: string;
  namespace: string;
  post?: (url: string, body: unknown) => Promise<void>;
  log?: (message: string) => void;
}

export interface AlertInput {
  kind: 'needs-attention' | 'recovered';
  tenantId: string;
  loopReturnId: string;
  orderName?: string;
  issue: ReturnIssue;
}

export type AlertResult = 'sent' | 'not-configured';

const postJson = async (url: string, body: unknown) => {
  await got.post(url, { json: body, timeout: { request: 10_000 }, retry: { limit: 0 } });
};

export function alertText(input: AlertInput, link?: string): string {
  const what = `Return ${input.loopReturnId}${input.orderName ? ` (order ${input.orderName})` : ''} of tenant ${input.tenantId}`;
  const where = link ? ` <${link}|Open in Temporal>` : '';
  return input.kind === 'needs-attention'
    ? `:warning: ${what} needs attention (${input.issue.class}, ${input.issue.code}) at "${input.issue.step}": ${input.issue.message}. Fix: ${input.issue.fix}.${where}`
    : `:white_check_mark: ${what} recovered from "${input.issue.code}" and is moving again.${where}`;
}

export function createAlertActivities(deps: AlertDeps) {
  const post = deps.post ?? postJson;
  return {
    async sendAlert(input: AlertInput): Promise<AlertResult> {
      const workflowId = returnWorkflowId(input.tenantId, input.loopReturnId);
      const link = deps.webUiUrl
        ? `${deps.webUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/${encodeURIComponent(workflowId)}`
        : undefined;
      const text = alertText(input, link);
      if (!deps.webhookUrl) {
        deps.log?.(`alert (no ALERT_WEBHOOK_URL set): ${text}`);
        return 'not-configured';
      }
      await post(deps.webhookUrl, { text });
      return 'sent';
    },
  };
}

export type AlertActivities = ReturnType<typeof createAlertActivities>;
