import type { Migration } from '../../migrations/types.js';
import { pgInitial } from './001-initial.js';
import { pgTagsInCalls } from './002-tags-in-calls.js';

export { migratePostgres, postgresSchemaVersion } from './runner.js';

/**
 * The PostgreSQL schema's migrations, oldest first: a list of its own (PostgreSQL DDL),
 * kept in step with the SQLite list in store/migrations. A SQLite migration that changes
 * what the store reads or writes gets its PostgreSQL counterpart appended here.
 */
export const PG_MIGRATIONS: readonly Migration[] = [pgInitial, pgTagsInCalls];

/** The PostgreSQL schema version this build reads and writes. */
export const PG_LATEST_VERSION = PG_MIGRATIONS.length;
