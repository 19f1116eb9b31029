export class TenantNotFoundError extends Error {
  override name = 'TenantNotFoundError';
  constructor(readonly tenantId: string) {
    super(`No tenant "${tenantId}" in the tenant store`);
  }
}

export class TenantExistsError extends Error {
  override name = 'TenantExistsError';
  constructor(readonly tenantId: string) {
    super(`Tenant "${tenantId}" already exists; choose another tenant ID or update the existing tenant`);
  }
}

export class StoreConnectionError extends Error {
  override name = 'StoreConnectionError';
}
