import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/lib/errors.js';
import { loadYaml } from './config-files.js';
import { thrownBy } from './thrown.js';

/** `prices:` holds model prices and the update settings auto_update, source and poll_interval. */

const load = (text: string) => loadYaml(text).config;
const errorOf = (text: string): string => thrownBy(() => load(text), ConfigError).message;

describe('prices: update settings', () => {
  it('defaults: no auto update, the published source, a 30 s poll', () => {
    expect(load('').price_updates).toEqual({ autoUpdateMs: null, source: null, pollIntervalMs: 30_000 });
  });

  it('are lifted out of the model prices', () => {
    const loaded = loadYaml('prices:\n  auto_update: 24h\n  source: ./prices.json\n  poll_interval: 5s\n  my-model: { input: 1, output: 2 }\n');
    const config = loaded.config;
    // A file is resolved against the config file's folder (prices-source-path.test.ts).
    expect(config.price_updates).toEqual({ autoUpdateMs: 86_400_000, source: path.join(path.dirname(loaded.path!), 'prices.json'), pollIntervalMs: 5000 });
    expect(config.prices).toEqual({ 'my-model': { input: 1, output: 2 } });
    expect(load('prices: { auto_update: "off" }').price_updates.autoUpdateMs).toBeNull();
    expect(load('prices: { auto_update: 90m }').price_updates.autoUpdateMs).toBe(5_400_000);
  });

  it('bad values and misspelt price fields say what is wrong, with the line', () => {
    expect(errorOf('prices:\n  auto_update: daily\n')).toMatch(/tokometer\.yaml:2:16: prices\.auto_update: expected off or a duration such as 30s, 10m, 24h or 1d$/);
    expect(errorOf('prices:\n  poll_interval: 0s\n')).toMatch(/prices\.poll_interval: must be longer than 0/);
    expect(errorOf('prices:\n  my-model: { input: 1, outptu: 2 }\n')).toMatch(/tokometer\.yaml:2:25: prices\.my-model\.outptu: unknown key "outptu"; did you mean "output"\?/);
  });

  it('polling has a lower bound: poll_interval at least 1 s, auto_update at least 1 h (the catalog publishes a few times a week)', () => {
    expect(errorOf('prices:\n  poll_interval: 1ms\n')).toMatch(/tokometer\.yaml:2:18: prices\.poll_interval: 1ms is too short: serve reads the database at most once a second; use 1s or more \(default 30s\)$/);
    expect(errorOf('prices:\n  poll_interval: 500ms\n')).toMatch(/prices\.poll_interval: 500ms is too short/);
    expect(errorOf('prices: { auto_update: "1s" }\n')).toMatch(/prices\.auto_update: 1s is too short: the catalog's published data changes a few times a week at most; use 1h or more \(24h is usual\), or off$/);
    expect(errorOf('prices: { auto_update: 59m }\n')).toMatch(/prices\.auto_update: 59m is too short/);
    expect(load('prices: { poll_interval: 1s, auto_update: 1h }').price_updates).toMatchObject({ pollIntervalMs: 1000, autoUpdateMs: 3_600_000 });
  });
});
