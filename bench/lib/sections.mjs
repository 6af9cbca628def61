import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** RESULTS.md sections written by the standalone phases (node bench/postgres.mjs, node bench/replicas.mjs). */

/**
 * What a standalone phase does with its figures: the raw ones to bench/out/<name>.json,
 * the section printed and (unless --no-write) written to bench/<file> and in place of
 * RESULTS.md's section that starts with `heading`.
 */
export function publishSection(root, { name, raw, section, file, heading }) {
  mkdirSync(join(root, 'bench/out'), { recursive: true });
  writeFileSync(join(root, `bench/out/${name}.json`), JSON.stringify({ date: new Date().toISOString(), ...raw }, null, 2));
  console.log(section);
  if (process.argv.includes('--no-write')) return;
  writeFileSync(join(root, 'bench', file), section);
  const results = join(root, 'bench/RESULTS.md');
  if (existsSync(results)) writeFileSync(results, withSection(readFileSync(results, 'utf8'), heading, section));
}

/** `text` with its section starting at the line `heading` (up to the next `## `) replaced by `section`, or `section` appended. */
export function withSection(text, heading, section) {
  const start = text.indexOf(`\n${heading}`);
  if (start === -1) return `${text.trimEnd()}\n\n${section}`;
  const next = text.indexOf('\n## ', start + 1);
  return `${text.slice(0, start).trimEnd()}\n\n${section}${next === -1 ? '' : `\n${text.slice(next + 1)}`}`;
}
