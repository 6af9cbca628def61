/**
 * Tokometer builds compared side by side (bench/ab.mjs, bench/ttfc-herd.mjs,
 * bench/ttfc-sparse.mjs): `--build NAME=PATH` options, each started as a server in its own
 * directory with a config, a key and a database, plus the bare proxy's JS-pipe variant.
 */
import { mkdtempSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { cliOptions } from './args.mjs';
import { root } from './standalone.mjs';
import { prepareTokometer, startServer } from './systems.mjs';

/** The `--build NAME=PATH` options of `argv` (default: binary=dist/tokometer), paths made absolute. */
export function parseBuilds(argv) {
  const builds = cliOptions(argv).all('build').map((b) => {
    const [name, path] = (b ?? '').split('=');
    if (!name || !path) throw new Error(`--build takes NAME=PATH, got ${b}`);
    return { name, path: isAbsolute(path) ? path : resolve(process.cwd(), path) };
  });
  return builds.length > 0 ? builds : [{ name: 'binary', path: join(root, 'dist/tokometer') }];
}

/** The `--env NAME=KEY:VALUE` options of `argv` (repeatable): environment variables by build name, for startBuilds. */
export function parseBuildEnv(argv) {
  const envs = new Map();
  for (const e of cliOptions(argv).all('env')) {
    const [name, pair] = (e ?? '').split(/=(.*)/s);
    const colon = pair?.indexOf(':') ?? -1;
    if (!name || colon < 1) throw new Error(`--env takes NAME=KEY:VALUE, got ${e}`);
    envs.set(name, { ...envs.get(name), [pair.slice(0, colon)]: pair.slice(colon + 1) });
  }
  return envs;
}

/**
 * Starts each build's `serve` on `cpu`, each in a fresh folder under `tmp` (a build may be
 * listed twice); each is pushed to `running` (stopped by the caller). `env`: environment
 * variables by build name. Returns the systems, with their database path as `db`.
 */
export async function startBuilds(builds, { tmp, upstream, cpu, running, env = new Map() }) {
  const systems = [];
  for (const b of builds) {
    const dir = mkdtempSync(join(tmp, `${b.name}-`));
    const key = prepareTokometer(root, 'bun', dir, upstream.url, b.path);
    const db = join(dir, 'tokometer.db');
    const s = await startServer(b.name, b.path, ['serve', '--port', '0', '--db', db], { cpu, cwd: dir, env: env.get(b.name) ?? {} });
    running.push(s);
    systems.push({ ...s, pathPrefix: '/proxy/openai', key, db });
  }
  return systems;
}

/** The bare Bun proxy with its body read in JavaScript (bench/bare-bun.mjs js-pipe), pushed to `running`. */
export async function startJsPipe({ bun, upstream, cpu, running }) {
  const s = await startServer('js-pipe', bun, [join(root, 'bench/bare-bun.mjs'), upstream.url, '0', 'js-pipe'], { cpu, cwd: root });
  running.push(s);
  return { ...s, pathPrefix: '/proxy/openai', key: 'mk_bench' };
}

/** The metering floor (bench/meter-floor.mjs: the bare proxy plus what metering cannot skip), its database under `tmp`, pushed to `running`. */
export async function startMeterFloor({ bun, upstream, cpu, running, tmp }) {
  const db = join(mkdtempSync(join(tmp, 'floor-')), 'floor.db');
  const s = await startServer('floor', bun, [join(root, 'bench/meter-floor.mjs'), upstream.url, '0', db], { cpu, cwd: root });
  running.push(s);
  return { ...s, pathPrefix: '/proxy/openai', key: 'mk_bench', db };
}
