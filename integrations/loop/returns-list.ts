import { z } from 'zod';
import { loopReturnSchema } from './loop-return.ts';

/**
 * The detailed returns list answers a bare array without `paginate=true` (and, defensively, whenever
 * pagination is not applied), and `{returns, nextPageUrl, previousPageUrl}` with it.
 */
export const returnsListSchema = z.preprocess(
  (value) => (Array.isArray(value) ? { returns: value } : value),
  z.object({
    returns: z.array(loopReturnSchema),
    nextPageUrl: z.string().nullish(),
  }),
);
