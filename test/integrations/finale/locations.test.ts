import { describe, expect, it } from 'vitest';
import { matchLocation, toFacilities } from '../../../integrations/finale/locations.ts';

const row = (
  facilityName: string,
  facilityUrl: string,
  extra: { parentFacilityUrl?: string; statusId?: string } = {},
) => ({
  facilityName,
  facilityUrl,
  parentFacilityUrl: extra.parentFacilityUrl,
  statusId: extra.statusId ?? 'FACILITY_ACTIVE',
});

describe('toFacilities', () => {
  it('tells locations from sublocations by parentFacilityUrl, and active from inactive', () => {
    const facilities = toFacilities([
      row('Main', '/a/api/facility/1'),
      row('Bin A', '/a/api/facility/2', { parentFacilityUrl: '/a/api/facility/1' }),
      row('Closed', '/a/api/facility/3', { statusId: 'FACILITY_INACTIVE' }),
    ]);
    expect(facilities.map((f) => [f.facilityName, f.kind, f.active])).toEqual([
      ['Main', 'location', true],
      ['Bin A', 'sublocation', true],
      ['Closed', 'location', false],
    ]);
  });

  it('counts anything used as a parent as a location, whatever it says itself', () => {
    const facilities = toFacilities([
      row('Site', '/a/api/facility/1', { parentFacilityUrl: '/a/api/facility/9' }),
      row('Shelf', '/a/api/facility/2', { parentFacilityUrl: '/a/api/facility/1' }),
    ]);
    expect(facilities.map((f) => f.kind)).toEqual(['location', 'sublocation']);
  });
});

describe('matchLocation', () => {
  const facilities = toFacilities([
    row('Main Warehouse', '/a/api/facility/1'),
    row('Returns Dock', '/a/api/facility/2', { parentFacilityUrl: '/a/api/facility/1' }),
    row('Old Depot', '/a/api/facility/3', { statusId: 'FACILITY_INACTIVE' }),
    row('main warehouse 2', '/a/api/facility/4'),
  ]);

  it('finds an active location by its exact name', () => {
    expect(matchLocation(facilities, 'Main Warehouse')).toEqual({ found: facilities[0] });
  });

  it('offers names that differ only by case or spacing', () => {
    expect(matchLocation(facilities, '  main   WAREHOUSE ')).toEqual({
      found: undefined,
      nearMatches: ['Main Warehouse'],
      locations: ['Main Warehouse', 'main warehouse 2'],
    });
  });

  it('never accepts a sublocation or an inactive location, even by exact name', () => {
    expect(matchLocation(facilities, 'Returns Dock')).toMatchObject({ found: undefined, nearMatches: [] });
    expect(matchLocation(facilities, 'Old Depot')).toMatchObject({ found: undefined, nearMatches: [] });
  });
});
