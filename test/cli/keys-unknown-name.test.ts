import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliFolder } from './cli-folder.js';

/**
 * `keys set` and `keys revoke` of a name that is no active key say what exists and what to
 * run (found by a new-user trial: `keys set nobody` said only "no active key named 'nobody'").
 */
const { dir, cli } = cliFolder('tokometer-keys-unknown-');

describe('keys set / revoke of a name that is no active key', () => {
  const db = () => path.join(dir(), 'k.db');
  const create = async (...names: string[]) => {
    for (const name of names) expect((await cli(['keys', 'create', name, '--db', db()])).code).toBe(0);
  };

  it('a close name: did you mean it', async () => {
    await create('summarizer', 'tagger');
    const res = await cli(['keys', 'set', 'sumarizer', '--budget', '5', '--db', db()]);
    expect(res.code).toBe(2);
    expect(res.err).toBe("tokometer: no active key named 'sumarizer'; did you mean 'summarizer'? (`tokometer keys list` shows the keys)\n");
    expect((await cli(['keys', 'revoke', 'tager', '--db', db()])).err).toBe("tokometer: no active key named 'tager'; did you mean 'tagger'? (`tokometer keys list` shows the keys)\n");
  });

  it('no close name: the active keys, and the command that lists them', async () => {
    await create('summarizer', 'tagger');
    const res = await cli(['keys', 'set', 'nobody', '--budget', '5', '--db', db()]);
    expect(res.code).toBe(2);
    expect(res.err).toBe("tokometer: no active key named 'nobody'; the active keys are summarizer and tagger (`tokometer keys list` shows them)\n");
  });

  it('a revoked key says it is revoked', async () => {
    await create('summarizer', 'old');
    expect((await cli(['keys', 'revoke', 'old', '--db', db()])).code).toBe(0);
    const res = await cli(['keys', 'set', 'old', '--budget', '5', '--db', db()]);
    expect(res.code).toBe(2);
    expect(res.err).toBe("tokometer: key 'old' is revoked and cannot be changed (`tokometer keys list --all` shows it); create a key with `tokometer keys create NAME`\n");
  });

  it('no active key at all: how to create one', async () => {
    await create('gone');
    expect((await cli(['keys', 'revoke', 'gone', '--db', db()])).code).toBe(0);
    const res = await cli(['keys', 'set', 'nobody', '--budget', '5', '--db', db()]);
    expect(res.err).toBe("tokometer: no active key named 'nobody': this database has no active keys; create one with `tokometer keys create nobody`\n");
  });

  it('many keys: a few of them and how many more', async () => {
    await create('k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7');
    const res = await cli(['keys', 'revoke', 'nobody', '--db', db()]);
    expect(res.err).toBe("tokometer: no active key named 'nobody'; the active keys are k1, k2, k3, k4, k5 and 2 more (`tokometer keys list` shows them)\n");
  });
});
