import type { Migration } from './types.js';

const TABLES = ['keys', 'budget_resets', 'key_events'] as const;
const EVENTS = ['INSERT', 'UPDATE', 'DELETE'] as const;

const bump = (table: string, event: string) => `
    CREATE TRIGGER ${table}_changed_on_${event.toLowerCase()} AFTER ${event} ON ${table}
    BEGIN
      UPDATE tokometer_changes SET value = value + 1 WHERE id = 1;
    END;`;

/**
 * Schema v11: the change token of keys and budgets, as PostgreSQL has it
 * (pg/migrations/001-initial.ts `tokometer_changes`). serve's key watch (proxy/auth.ts)
 * polls the token every 250 ms and reloads every key when it moved. On SQLite the token was
 * `PRAGMA data_version`, which moves whenever another connection commits anything: under
 * load the writer thread commits every flush, so every poll reloaded every key and
 * re-applied their budgets, four times a second, whether or not a key had changed.
 *
 * tokometer_changes.value grows with every row inserted, updated or deleted in keys,
 * budget_resets and key_events (triggers, so a change made by any process or any version
 * of tokometer that writes those tables counts); store/meta.ts reads it as the change token.
 */
export const keysChangeCounter: Migration = {
  version: 11,
  name: 'keys-change-counter',
  up: `
    CREATE TABLE tokometer_changes (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
    INSERT INTO tokometer_changes (id, value) VALUES (1, 0);
    ${TABLES.flatMap((table) => EVENTS.map((event) => bump(table, event))).join('\n')}
  `,
};
