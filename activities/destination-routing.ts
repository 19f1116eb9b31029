// Where a return goes in Finale, by its Loop destination and the tenant's destination map. Decided inside the
// activities from the settings as they are now, so a map fixed while a return waits applies at its next step.
import type { TenantSettings } from '../config/tenant-settings.ts';
import { routeByDestination } from '../workflows/destination-route.ts';
import { issueFailure } from './failures.ts';
import type { FacilityTarget } from './finale-steps.ts';

export type Routed =
  | { kind: 'facility'; target: FacilityTarget; why: string }
  /** The destination is not handled in Finale: nothing is created there and Loop is left alone. */
  | { kind: 'not-handled'; why: string };

/**
 * The Finale location for a return shipped to `destinationId`, or that Finale does not handle it. A
 * destination missing from the map, for a tenant who holds such returns, parks the return as a config issue:
 * saving a map that names it retries the return at once.
 */
export function routeReturn(settings: TenantSettings, destinationId: string | undefined): Routed {
  const decision = routeByDestination(settings, destinationId);
  switch (decision.kind) {
    case 'skip':
      return { kind: 'not-handled', why: decision.why };
    case 'hold':
      throw issueFailure(decision.why, {
        class: 'config',
        code: 'DestinationNotMapped',
        fix:
          `Map Loop destination ${decision.destinationId} to a Finale location, or mark it not handled in Finale, in ` +
          `the store's settings (an operator makes a change link: invite create --tenant ${settings.tenantId}); ` +
          'saving them resumes this return',
      });
    case 'facility': {
      const mapped =
        destinationId !== undefined && settings.destinationMap[destinationId]?.route === 'location';
      const setting = mapped
        ? `the Finale location of Loop destination ${destinationId} in the destination map`
        : 'the destination facility name';
      return {
        kind: 'facility',
        target: { facilityName: decision.facilityName, setting },
        why: decision.why,
      };
    }
  }
}
