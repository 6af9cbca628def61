import { initial } from './001-initial.js';
import { budgets } from './002-budgets.js';
import { rollups } from './003-rollups.js';
import { entityRetention } from './004-entity-retention.js';
import { reconcileRuns } from './005-reconcile-runs.js';
import { outcomeRollups } from './006-outcome-rollups.js';
import { writerMarks } from './007-writer-marks.js';
import { prices } from './008-prices.js';
import { entityTagRows } from './009-entity-tag-rows.js';
import { entityMinuteIndexes } from './010-entity-minute-indexes.js';
import { keysChangeCounter } from './011-keys-change-counter.js';
import { tagPostings } from './012-tag-postings.js';
import { entityPending } from './013-entity-pending.js';
import { billedExtras } from './014-billed-extras.js';
import { fileSearches } from './015-file-searches.js';
import { budgetLimits } from './016-budget-limits.js';
import { priceModifiers } from './017-price-modifiers.js';
import { budgetRepricesSeen } from './018-budget-reprices-seen.js';
import { advisorUsage } from './019-advisor-usage.js';
import { alertKey } from './020-alert-key.js';
import { audioSeconds } from './021-audio-seconds.js';
import { inputImageTokens } from './022-input-image-tokens.js';
import { documentPages } from './023-document-pages.js';
import { repricePricedCalls } from './024-reprice-priced-calls.js';
import { compactionUsage } from './025-compaction-usage.js';
import { webSearchPreview } from './026-web-search-preview.js';
import type { Migration } from './types.js';

export type { Migration } from './types.js';
export { migrate, schemaVersion, SchemaVersionError } from './runner.js';

/** Every migration, oldest first. Append new ones (rollups, alerts, audit trail) at the end. */
export const MIGRATIONS: readonly Migration[] = [initial, budgets, rollups, entityRetention, reconcileRuns, outcomeRollups, writerMarks, prices, entityTagRows, entityMinuteIndexes, keysChangeCounter, tagPostings, entityPending, billedExtras, fileSearches, budgetLimits, priceModifiers, budgetRepricesSeen, advisorUsage, alertKey, audioSeconds, inputImageTokens, documentPages, repricePricedCalls, compactionUsage, webSearchPreview];

/** The schema version this build of tokometer reads and writes. */
export const LATEST_VERSION = MIGRATIONS.length === 0 ? 0 : MIGRATIONS[MIGRATIONS.length - 1]!.version;
