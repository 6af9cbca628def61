import type { Migration } from '../../migrations/types.js';
import { pgInitial } from './001-initial.js';
import { pgPrices } from './002-prices.js';
import { pgBudgetLeases } from './003-budget-leases.js';
import { pgShareReprices } from './004-share-reprices.js';
import { pgTagsInCalls } from './005-tags-in-calls.js';
import { pgEntityMinuteIndexes } from './006-entity-minute-indexes.js';
import { pgBilledExtras } from './007-billed-extras.js';
import { pgFileSearches } from './008-file-searches.js';
import { pgShareResets } from './009-share-resets.js';
import { pgBudgetLimits } from './010-budget-limits.js';
import { pgShareSeedLift } from './011-share-seed-lift.js';
import { pgPriceModifiers } from './012-price-modifiers.js';
import { pgBudgetRepricesSeen } from './013-budget-reprices-seen.js';
import { pgAdvisorUsage } from './014-advisor-usage.js';
import { pgAlertKey } from './015-alert-key.js';
import { pgAudioSeconds } from './016-audio-seconds.js';
import { pgInputImageTokens } from './017-input-image-tokens.js';
import { pgDocumentPages } from './018-document-pages.js';
import { pgRepricePricedCalls } from './019-reprice-priced-calls.js';
import { pgCompactionUsage } from './020-compaction-usage.js';
import { pgWebSearchPreview } from './021-web-search-preview.js';

export { migratePostgres, postgresSchemaVersion } from './runner.js';

/**
 * The PostgreSQL schema's migrations, oldest first: a list of its own (PostgreSQL DDL),
 * kept in step with the SQLite list in store/migrations. A SQLite migration that changes
 * what the store reads or writes gets its PostgreSQL counterpart appended here.
 */
export const PG_MIGRATIONS: readonly Migration[] = [pgInitial, pgPrices, pgBudgetLeases, pgShareReprices, pgTagsInCalls, pgEntityMinuteIndexes, pgBilledExtras, pgFileSearches, pgShareResets, pgBudgetLimits, pgShareSeedLift, pgPriceModifiers, pgBudgetRepricesSeen, pgAdvisorUsage, pgAlertKey, pgAudioSeconds, pgInputImageTokens, pgDocumentPages, pgRepricePricedCalls, pgCompactionUsage, pgWebSearchPreview];

/** The PostgreSQL schema version this build reads and writes. */
export const PG_LATEST_VERSION = PG_MIGRATIONS.length;
