import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { startProxy, type RunningProxy, type StartProxyOptions } from '../../src/proxy/start.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { openProxyStorage } from '../../src/store/proxy-storage.js';
import { FakeUpstream, type FakeUpstreamOptions } from '../support/fake-upstream.js';
import { testProxyOptions } from '../support/proxy-harness.js';
import { budgetTestConfigText, chatReply, startBudgetProxy, tempDb, UPSTREAM_KEY, type BudgetProxy } from './support.js';

/** What a suite of tests through real proxies in front of one fake provider is given by `proxySuite`. */
export interface ProxySuite {
  /** The fake OpenAI every proxy of the suite calls; read it in hooks and cases (it starts in the suite's beforeAll). */
  readonly fake: FakeUpstream;
  /** A temp folder of the suite's (scope 'suite') or of the case's (scope 'test'), removed after it. */
  readonly dir: string;
  /** `dir`/test.db: the SQLite file `start` opens (created by the first start). */
  readonly dbPath: string;
  /** A proxy on SQLite at `dbPath` (startBudgetProxy), `yaml` added to the config; start it again on the same file to test restarts. */
  start(options?: { yaml?: string; overrides?: Partial<StartProxyOptions> }): Promise<BudgetProxy>;
  /** A proxy on the PostgreSQL database at `databaseUrl` (migrated on open), with the same config as `start`. */
  startOnPostgres(databaseUrl: string, yaml?: string): Promise<RunningProxy>;
}

/**
 * The set-up the tests through real proxies share (budgets, admin API): one fake OpenAI
 * (`reply`, default chatReply) for the whole suite, a temp folder, and proxies in front of
 * the fake on SQLite there or on PostgreSQL. Call it at the top of a describe, before the
 * suite's own hooks: it registers a beforeAll that starts the fake (and a hook that makes the
 * folder), then after the suite, or after each case with `scope: 'test'`, stops every proxy
 * it started (stop is idempotent: those a case stopped itself stay stopped) and removes the
 * folder; the fake stops after the suite. Teardown goes on past a failed stop and throws
 * its first error at the end, so nothing is left running.
 */
export function proxySuite(options: { reply?: FakeUpstreamOptions['reply']; scope?: 'suite' | 'test' } = {}): ProxySuite {
  let fake: FakeUpstream | undefined;
  let folder: ReturnType<typeof tempDb> | undefined;
  /** What to stop at the teardown: every proxy started since the last one. */
  let running: Array<() => Promise<void>> = [];

  const makeFolder = () => {
    folder = tempDb();
  };
  const currentFolder = () => {
    if (folder === undefined) throw new Error('proxySuite: no temp folder now (read it in a hook or case)');
    return folder;
  };
  /** Stops what was started and removes the folder; then `last` (the fake), whatever failed before. */
  const tearDown = async (last?: () => Promise<void>) => {
    const errors: unknown[] = [];
    for (const stop of running) await stop().catch((e: unknown) => errors.push(e));
    running = [];
    folder?.cleanup();
    folder = undefined;
    await last?.().catch((e: unknown) => errors.push(e));
    if (errors.length > 0) throw errors[0];
  };

  beforeAll(async () => {
    fake = await new FakeUpstream({ expectedKey: UPSTREAM_KEY, reply: options.reply ?? chatReply }).start();
  });
  if (options.scope === 'test') {
    beforeEach(makeFolder);
    afterEach(() => tearDown());
  } else beforeAll(makeFolder);
  afterAll(() => tearDown(() => fake?.stop() ?? Promise.resolve()));

  const suite: ProxySuite = {
    get fake() {
      if (fake === undefined) throw new Error('proxySuite: the fake provider is not started (read it in a hook or case)');
      return fake;
    },
    get dir() {
      return currentFolder().dir;
    },
    get dbPath() {
      return currentFolder().dbPath;
    },
    start: async (o = {}) => {
      const p = await startBudgetProxy({ dbPath: suite.dbPath, fake: suite.fake, ...o });
      running.push(() => p.stop());
      return p;
    },
    startOnPostgres: async (databaseUrl, yaml = '') => {
      const config = parseConfigText(budgetTestConfigText(suite.fake, yaml), { file: 'budget-test.yaml', env: {} });
      const storage = await openProxyStorage(databaseUrl, async () => openDriver);
      const proxy = await startProxy({ ...testProxyOptions(config, null as never), storage });
      running.push(() => proxy.stop(1000));
      return proxy;
    },
  };
  return suite;
}
