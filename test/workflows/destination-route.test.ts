import { describe, expect, it } from 'vitest';
import { routeByDestination, type RoutingSettings } from '../../workflows/destination-route.ts';

const settings: RoutingSettings = {
  destinationFacilityName: 'Main Warehouse',
  destinationMap: {
    '7295': { route: 'default', loopName: 'Main Warehouse' },
    '7296': { route: 'location', facilityName: 'EU Warehouse', loopName: 'EU Warehouse' },
    '7301': { route: 'not-handled', loopName: 'Retail Store' },
  },
  unmappedDestinations: 'default-facility',
};

describe('routeByDestination', () => {
  it('sends each mapped destination to its own location', () => {
    expect(routeByDestination(settings, '7295')).toMatchObject({
      kind: 'facility',
      facilityName: 'Main Warehouse',
    });
    expect(routeByDestination(settings, '7296')).toEqual({
      kind: 'facility',
      facilityName: 'EU Warehouse',
      why: 'Loop destination 7296 (EU Warehouse) goes to Finale location "EU Warehouse"',
    });
  });

  it('skips a destination not handled in Finale, saying why', () => {
    expect(routeByDestination(settings, '7301')).toEqual({
      kind: 'skip',
      why: 'Loop destination 7301 (Retail Store) is not handled in Finale: skipped, Loop left alone',
    });
  });

  it('treats a destination added later as the tenant chose: the destination facility, or hold', () => {
    expect(routeByDestination(settings, '7400')).toEqual({
      kind: 'facility',
      facilityName: 'Main Warehouse',
      why: 'Loop destination 7400 is not in the destination map: sent to the destination facility "Main Warehouse"',
    });
    expect(routeByDestination({ ...settings, unmappedDestinations: 'hold' }, '7400')).toMatchObject({
      kind: 'hold',
      destinationId: '7400',
    });
    expect(routeByDestination({ ...settings, unmappedDestinations: 'hold' }, '7296')).toMatchObject({
      kind: 'facility',
    });
  });

  it('routes as before destinations were mapped when the settings have no map, or the return no destination', () => {
    const before = { destinationFacilityName: 'Main Warehouse' };
    for (const destinationId of ['7295', '7400', undefined]) {
      expect(routeByDestination(before, destinationId)).toMatchObject({
        kind: 'facility',
        facilityName: 'Main Warehouse',
      });
    }
    expect(routeByDestination({ ...settings, unmappedDestinations: 'hold' }, undefined)).toMatchObject({
      kind: 'facility',
      why: 'Loop names no destination: sent to the destination facility "Main Warehouse"',
    });
  });
});
