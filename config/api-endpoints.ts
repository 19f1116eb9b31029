// Where every tenant's Loop and Finale calls go: built once from the environment, for the worker's
// activities and the gateway's onboarding checks alike.
import type { ApiEndpoints } from '../activities/tenant-clients.ts';
import type { Env } from './env.ts';

export type ApiEndpointsEnv = Pick<Env, 'FINALE_BASE_URL' | 'LOOP_BASE_URL' | 'LOOP_API_VERSION'>;

/**
 * The APIs' base URLs and Loop's API version. `simulators` (npm start's demo mode) are where demo tenants'
 * calls go; every other tenant's go to the configured APIs, in the same process.
 */
export function apiEndpoints(env: ApiEndpointsEnv, simulators?: ApiEndpoints['demo']): ApiEndpoints {
  return {
    finaleBaseUrl: env.FINALE_BASE_URL,
    loopBaseUrl: env.LOOP_BASE_URL,
    loopApiVersion: env.LOOP_API_VERSION,
    ...(simulators === undefined ? {} : { demo: simulators }),
  };
}
