// Pure, deterministic routing of a Loop return by its destination: safe to run inside workflow code.
import type { TenantSettings } from '../config/tenant-settings.ts';

/** Settings recorded before destinations were mapped lack the map: they route as they always did. */
export type RoutingSettings = Pick<TenantSettings, 'destinationFacilityName'> &
  Partial<Pick<TenantSettings, 'destinationMap' | 'unmappedDestinations'>>;

export type DestinationDecision =
  /** Create the Finale return at this location (exact name). */
  | { kind: 'facility'; facilityName: string; why: string }
  /** Finale does not handle this destination: nothing is created in Finale and Loop is left alone. */
  | { kind: 'skip'; why: string }
  /** A destination the tenant has not mapped, and the tenant holds such returns for review. */
  | { kind: 'hold'; destinationId: string; why: string };

/** Where a return shipped to `destinationId` goes, with a sentence for its timeline. */
export function routeByDestination(
  settings: RoutingSettings,
  destinationId: string | undefined,
): DestinationDecision {
  const facility = settings.destinationFacilityName;
  const map = settings.destinationMap ?? {};
  const toFacility = (why: string): DestinationDecision => ({
    kind: 'facility',
    facilityName: facility,
    why,
  });
  if (destinationId === undefined) {
    return toFacility(`Loop names no destination: sent to the destination facility "${facility}"`);
  }
  const route = map[destinationId];
  const named = route?.loopName ? `Loop destination ${destinationId} (${route.loopName})` : undefined;
  const destination = named ?? `Loop destination ${destinationId}`;
  switch (route?.route) {
    case 'default':
      return toFacility(`${destination} goes to the destination facility "${facility}"`);
    case 'location':
      return {
        kind: 'facility',
        facilityName: route.facilityName,
        why: `${destination} goes to Finale location "${route.facilityName}"`,
      };
    case 'not-handled':
      return { kind: 'skip', why: `${destination} is not handled in Finale: skipped, Loop left alone` };
    case undefined:
      break;
  }
  if (settings.unmappedDestinations === 'hold') {
    return {
      kind: 'hold',
      destinationId,
      why: `${destination} is not in the destination map (added in Loop after onboarding?): held for review`,
    };
  }
  // No map at all is the merchant guide's set-up: every destination goes to the one facility.
  return toFacility(
    Object.keys(map).length === 0
      ? `Sent to the destination facility "${facility}"`
      : `${destination} is not in the destination map: sent to the destination facility "${facility}"`,
  );
}
