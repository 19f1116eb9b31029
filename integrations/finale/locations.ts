import type { FacilityRow } from './records.ts';
import type { Facility, LocationMatch } from './types.ts';

/**
 * A facility is a location unless it hangs under another one; anything another facility names as its
 * parent is a location whatever it says itself. (Finale's `facilityTypeId` values are not documented.)
 */
export function toFacilities(rows: FacilityRow[]): Facility[] {
  const parents = new Set(rows.flatMap((row) => (row.parentFacilityUrl ? [row.parentFacilityUrl] : [])));
  return rows.map((row) => ({
    facilityUrl: row.facilityUrl,
    facilityName: row.facilityName,
    kind: !row.parentFacilityUrl || parents.has(row.facilityUrl) ? 'location' : 'sublocation',
    active: row.statusId !== 'FACILITY_INACTIVE',
    parentFacilityUrl: row.parentFacilityUrl,
  }));
}

const loosely = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * Merchants must type the location name exactly (Finale's own rule for the integration), but a miss
 * should say which names were meant: those equal up to case and spacing.
 */
export function matchLocation(facilities: Facility[], name: string): LocationMatch {
  const locations = facilities.filter((facility) => facility.kind === 'location' && facility.active);
  const found = locations.find((location) => location.facilityName === name);
  if (found) return { found };
  const names = locations.map((location) => location.facilityName);
  return {
    found: undefined,
    nearMatches: names.filter((candidate) => loosely(candidate) === loosely(name)),
    locations: names,
  };
}
