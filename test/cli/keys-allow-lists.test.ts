import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliFolder } from './cli-folder.js';

/**
 * An empty name in a key's allow-list (`--model ''`, `--provider ''`, an unset shell
 * variable) matches no request: every call of the key is refused with 403 "(allowed: )",
 * while `keys list` shows the key as unrestricted ('—'). Refused with exit 2 instead.
 */

const { dir, cli } = cliFolder('tokometer-allow-lists-');


const keysJson = async (db: string) => JSON.parse((await cli(['keys', 'list', '--json', '--db', db])).out) as Array<{ name: string; providers: string[]; models: string[] }>;

describe("keys create / set with an empty allow-list name", () => {
  for (const flag of ['--model', '--provider'] as const) {
    it(`keys create ${flag} '' exits 2 naming the flag, and creates no key`, async () => {
      const db = path.join(dir(), 'k.db');
      const res = await cli(['keys', 'create', 'emptym', flag, '', '--db', db]);
      expect(res.code).toBe(2);
      expect(res.err).toContain(`${flag}: an empty name`);
      expect(res.out).not.toContain('mk_');
      // Refused before the store is opened: no database either.
      expect(existsSync(db)).toBe(false);
    });

    it(`keys set ${flag} '' exits 2 and leaves the allow-list as it was`, async () => {
      const db = path.join(dir(), 'k.db');
      expect((await cli(['keys', 'create', 'app', flag, flag === '--model' ? 'gpt-4o-mini' : 'openai', '--db', db])).code).toBe(0);
      const res = await cli(['keys', 'set', 'app', flag, '', '--db', db]);
      expect(res.code).toBe(2);
      expect(res.err).toContain(`${flag}: an empty name`);
      const [key] = await keysJson(db);
      expect(flag === '--model' ? key!.models : key!.providers).toEqual([flag === '--model' ? 'gpt-4o-mini' : 'openai']);
    });
  }
});
