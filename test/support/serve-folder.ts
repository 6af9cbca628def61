import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeUpstream, type FakeUpstreamOptions } from './fake-upstream.js';

/** The YAML of a serve folder's config, given the fake provider's URL and the folder. */
export type ServeConfig = (fakeUrl: string, dir: string) => string;

/** A temp folder to run the built `tokometer` in (`cwd: dir`), with a fake provider its config points at. */
export interface ServeFolder {
  dir: string;
  fake: FakeUpstream;
  /** Writes the config file again, e.g. with other limits for the next case. */
  writeConfig(config: ServeConfig): void;
  /** Stops the fake provider and deletes the folder. */
  close(): Promise<void>;
}

/**
 * Makes a folder `tokometer-<name>-XXXXXX` under the OS temp folder, starts a FakeUpstream
 * with `upstream`, and writes `config` to `<dir>/<configFile>` (default tokometer.yaml,
 * where `tokometer` finds it; a file in a subfolder gets its folder made).
 */
export async function openServeFolder(o: { name: string; upstream: FakeUpstreamOptions; config: ServeConfig; configFile?: string }): Promise<ServeFolder> {
  const dir = mkdtempSync(path.join(tmpdir(), `tokometer-${o.name}-`));
  const file = path.join(dir, o.configFile ?? 'tokometer.yaml');
  mkdirSync(path.dirname(file), { recursive: true });
  const fake = await new FakeUpstream(o.upstream).start();
  const folder: ServeFolder = {
    dir,
    fake,
    writeConfig: (config) => writeFileSync(file, config(fake.url, dir)),
    close: async () => {
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  folder.writeConfig(o.config);
  return folder;
}
