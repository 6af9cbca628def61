import { describe, expect, it } from 'vitest';
import { createAdminHandler } from '../../../src/admin/handler.js';
import { mergeTags } from '../../../src/proxy/tags.js';
import { createPostgresRecordWriter } from '../../../src/store/pg/call-sink.js';
import { openPostgresStore } from '../../../src/store/pg/pg-store.js';
import { record } from '../../report/dataset.js';
import { pgDatabases } from '../../support/pg-databases.js';

/**
 * A key's fixed tags set through the admin API from a string cut in the middle of an emoji
 * (`"Café 🎉".slice(0, 6)` in a provisioning script: JSON.stringify writes the lone half
 * as `\ud83c`, valid JSON). Every call of that key carries the tag. Request tags with such
 * a value are made well-formed (U+FFFD) at the edge; a key's fixed tag must not make its
 * calls unstorable on PostgreSQL, which cannot hold a lone surrogate in jsonb.
 */

const pg = pgDatabases();
const TOKEN = 'admin-secret-token-0123456789';

describe("a key's fixed tag with a lone surrogate (PostgreSQL)", () => {
  it('the calls of the key are stored', async () => {
    const store = await openPostgresStore(await pg.url('key_tag_surrogate'), 'create');
    try {
      const handler = createAdminHandler({
        token: TOKEN,
        store,
        keys: { reload: async () => {} },
        budgets: null,
        clock: () => Date.now(),
        timeZone: 'UTC',
        economics: {} as never,
        configKeys: {},
        reports: store.reports,
        log: { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} } as never,
      });
      const body = JSON.stringify({ name: 'acme', tags: { tenant: 'Café 🎉'.slice(0, 6) } });
      expect(body).toContain('\\ud83c');
      const created = await handler(
        { method: 'POST', url: '/admin/keys', headers: { authorization: `Bearer ${TOKEN}` }, readBody: async () => new TextEncoder().encode(body), signal: new AbortController().signal },
        '/keys',
        '',
      );
      expect(created.status).toBe(201);
      const key = (await store.keys.byName('acme'))!;
      // A call of the key, tagged as the proxy tags it (key tags win over request tags).
      const rejected: unknown[] = [];
      const writer = createPostgresRecordWriter(store.db, { onError: (e) => void rejected.push(e) });
      writer.enqueue(record({ at: Date.UTC(2026, 10, 20), key: 'acme', cost: 1_000_000, tags: mergeTags({ feature: 'chat' }, key.tags) }));
      await writer.flush();
      await writer.drain();
      expect(rejected).toEqual([]);
      expect((await store.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM calls'))?.n).toBe(1);
    } finally {
      await store.close();
    }
  });
});
