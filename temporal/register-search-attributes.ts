import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { allSearchAttributeKeys } from '../workflows/search-attributes.ts';

const grpcCode = (error: unknown) => (error as { code?: number } | null)?.code;

async function existingNames(connection: Connection, namespace: string): Promise<Set<string> | undefined> {
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    return new Set(Object.keys(existing.customAttributes ?? {}));
  } catch (error) {
    // The time-skipping test server cannot list search attributes; we then add them one by one.
    if (grpcCode(error) === GrpcStatus.UNIMPLEMENTED) return undefined;
    throw error;
  }
}

/**
 * Registers the project's custom search attributes, adding only missing ones. Idempotent, so it is safe
 * on a persisted dev-server database that predates a newly added attribute.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const known = await existingNames(connection, namespace);
  const missing = allSearchAttributeKeys.filter((key) => !known?.has(key.name));
  const added: string[] = [];
  for (const key of missing) {
    const type = encodeSearchAttributeIndexedValueType(key.type);
    if (type === undefined) throw new Error(`Unknown search attribute type ${key.type} for ${key.name}`);
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: { [key.name]: type },
      });
      added.push(key.name);
    } catch (error) {
      if (grpcCode(error) !== GrpcStatus.ALREADY_EXISTS) throw error;
    }
  }
  return added;
}
