// Where every tenant's Loop and Finale calls go: built once from the environment, for the worker's
// activities and the gateway's onboarding checks alike.
import type { ApiEndpoints } from '../activities/tenant-clients.ts';
import type { Env } from './env.ts';

export type ApiEndpointsEnv = Pick<Env, 'FINALE_BASE_URL' | 'LOOP_BASE_URL' | 'LOOP_API_VERSION'>;

/**
 * The APIs' base URLs and Loop's API version. `simulators` replaces both base URLs (npm start's demo
 * mode); the Loop API version stays the configured one.
 */
export function apiEndpoints(
  env: ApiEndpointsEnv,
  simulators?: Pick<ApiEndpoints, 'finaleBaseUrl' | 'loopBaseUrl'>,
): ApiEndpoints {
  return {
    finaleBaseUrl: simulators?.finaleBaseUrl ?? env.FINALE_BASE_URL,
    loopBaseUrl: simulators?.loopBaseUrl ?? env.LOOP_BASE_URL,
    loopApiVersion: env.LOOP_API_VERSION,
  };
}
