// Activities of the v1 return workflow (workflows/return/v1-return-workflow.ts), kept with their original
// names, inputs and behaviour for returns that started before v2 and finish on v1 code. Remove together
// with that workflow.
import type { CompletionAction, TenantSettings } from '../config/tenant-settings.ts';
import type { LoopActionOutcome } from '../integrations/loop/client.ts';
import { issueFailure } from './failures.ts';
import {
  heartbeating,
  type CreatedFinaleReturn,
  type FinaleReturnCreate,
  type FinaleSteps,
  type FoundOrder,
  type ReturnActivityDeps,
} from './finale-steps.ts';

interface TenantRef {
  tenantId: string;
}
interface LoopReturnRef extends TenantRef {
  loopReturnId: string;
}

export function createReturnActivitiesV1(deps: ReturnActivityDeps, steps: FinaleSteps) {
  return {
    /** Non-secret settings only: these are recorded in workflow history. */
    async loadTenantSettings(tenantId: string): Promise<TenantSettings> {
      return steps.settingsOf(tenantId);
    },

    async resolveFacility({ tenantId }: TenantRef): Promise<{ facilityUrl: string }> {
      return steps.resolveFacility(tenantId);
    },

    async resolveOrder({ tenantId, orderName }: TenantRef & { orderName: string }): Promise<FoundOrder> {
      const order = await steps.findOrder(tenantId, orderName);
      if (order.found) return order.found;
      throw issueFailure(`Order ${orderName} is not in Finale (looked up as "${order.tried.join('", "')}")`, {
        class: 'waiting',
        code: 'OrderNotFound',
        fix: 'New orders take a few minutes to sync from Shopify to Finale; this is retried automatically',
      });
    },

    async resolveProducts({
      tenantId,
      skus,
      known,
    }: TenantRef & { skus: string[]; known: Record<string, string> }): Promise<Record<string, string>> {
      return steps.resolveProducts(tenantId, skus, known);
    },

    async createFinaleReturn(input: FinaleReturnCreate): Promise<CreatedFinaleReturn> {
      return heartbeating(() => steps.createFinaleReturn(input));
    },

    async getFinaleReturn({
      tenantId,
      returnUrl,
    }: TenantRef & { returnUrl: string }): Promise<{ statusId: string }> {
      const { finale } = await deps.clientsFor(tenantId);
      // The fallback check only backs up the sweeper: it spends what work (creates, look-ups) leaves over.
      const current = await finale.getReturn(returnUrl, { priority: 'background' });
      return { statusId: current.statusId };
    },

    async cancelFinaleReturn({ tenantId, returnUrl }: TenantRef & { returnUrl: string }): Promise<void> {
      const { finale } = await deps.clientsFor(tenantId);
      await finale.cancelReturn(returnUrl);
    },

    async completeLoopReturn({
      tenantId,
      loopReturnId,
      action,
    }: LoopReturnRef & { action: CompletionAction }): Promise<LoopActionOutcome> {
      const { loop } = await deps.clientsFor(tenantId);
      return action === 'process' ? loop.processReturn(loopReturnId) : loop.closeReturn(loopReturnId);
    },

    async flagLoopReturn({ tenantId, loopReturnId }: LoopReturnRef): Promise<LoopActionOutcome> {
      const { loop } = await deps.clientsFor(tenantId);
      return loop.flagReturn(loopReturnId);
    },

    async addLoopNote({ tenantId, loopReturnId, note }: LoopReturnRef & { note: string }): Promise<void> {
      const { loop } = await deps.clientsFor(tenantId);
      await loop.addNote(loopReturnId, note);
    },
  };
}
