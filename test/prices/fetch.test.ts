import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REMOTE_DATA_JSON_URL } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { FetchError, PUBLISHED_DATA_URL, fetchCatalog } from '../../src/cli/catalog-source.js';
import { serveFiles } from './support.js';

/** Where `prices update` reads from: the published URL by default, loopback and files in tests. */

describe('fetching catalog data', () => {
  it('defaults to the URL the library itself updates from', () => {
    expect(PUBLISHED_DATA_URL).toBe(REMOTE_DATA_JSON_URL);
  });

  it('reads a URL or a file and digests what it read', async () => {
    const files = await serveFiles({ '/d.json': '[]' });
    try {
      const got = await fetchCatalog(`${files.url}/d.json`, '/');
      expect(got).toEqual({ origin: `${files.url}/d.json`, text: '[]', sha256: createHash('sha256').update('[]').digest('hex') });
    } finally {
      await files.stop();
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-fetch-'));
    writeFileSync(path.join(dir, 'p.json'), '[1]');
    expect(await fetchCatalog('p.json', dir)).toMatchObject({ origin: path.join(dir, 'p.json'), text: '[1]' });
    await expect(fetchCatalog('nope.json', dir)).rejects.toThrow('price file not found: nope.json');
  });

  it('a file that is missing or unreadable is bad input (exit 2, like bad data); a URL that cannot be reached is a runtime failure (exit 1)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-fetch-'));
    const missing = await fetchCatalog('nope.json', dir).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(FetchError);
    expect(missing).toMatchObject({ exitCode: 2, message: `price file not found: nope.json (${path.join(dir, 'nope.json')})` });
    expect(await fetchCatalog('.', dir).catch((e: unknown) => e)).toMatchObject({ exitCode: 2, message: expect.stringMatching(/^cannot read \.: .*EISDIR/) });
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    expect(await fetchCatalog(`http://127.0.0.1:${port}/d.json`, '/').catch((e: unknown) => e)).toMatchObject({ exitCode: 1 });
  });

  it('says clearly when the source cannot be reached, answers an error or never answers', async () => {
    // A port nobody listens on: the connection is refused, as when offline.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    const refused = fetchCatalog(`http://127.0.0.1:${port}/d.json`, '/');
    await expect(refused).rejects.toBeInstanceOf(FetchError);
    await expect(refused).rejects.toThrow(new RegExp(`could not fetch http://127.0.0.1:${port}/d.json: ECONNREFUSED \\(offline\\? use --from FILE`));

    const files = await serveFiles({});
    try {
      await expect(fetchCatalog(`${files.url}/missing.json`, '/')).rejects.toThrow(/HTTP 404/);
    } finally {
      await files.stop();
    }

    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/d.json`;
      await expect(fetchCatalog(url, '/', 200)).rejects.toThrow(`could not fetch ${url}: no answer within 0.2 s`);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });
});
