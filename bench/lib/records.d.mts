import type { CallRecord } from '../../src/store/types.js';

/** A deterministic, realistic call record number `i`, at time `ts` (tags: feature of 12, user_tier of 3, tenant_id of 500). */
export function benchRecord(i: number, ts: number): CallRecord;
