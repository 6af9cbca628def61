/**
 * A Bun CPU profile (`.cpuprofile`) summed by source file: each sample is charged to the
 * nearest frame on its stack that lies in tokometer's `src/`, so native functions (a
 * socket `write`, `JSON.parse`, `new Response`) count for the file that called them;
 * samples with no such frame are "(native, no src caller)" (the event loop, uWebSockets
 * writing responses). Used by bench/profile.mjs.
 */
import { readFileSync } from 'node:fs';

/** [file, share of samples] pairs, largest first. */
export function sharesByFile(profilePath) {
  const profile = JSON.parse(readFileSync(profilePath, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
  const fileOf = new Map();
  const resolve = (id) => {
    if (fileOf.has(id)) return fileOf.get(id);
    const url = nodes.get(id).callFrame.url ?? '';
    const at = url.indexOf('/src/');
    const parent = parentOf.get(id);
    const file = at !== -1 ? url.slice(at + 5) : parent === undefined ? '(native, no src caller)' : resolve(parent);
    fileOf.set(id, file);
    return file;
  };
  const samples = new Map();
  for (const id of profile.samples) {
    const file = resolve(id);
    samples.set(file, (samples.get(file) ?? 0) + 1);
  }
  const total = profile.samples.length;
  return [...samples].sort((a, b) => b[1] - a[1]).map(([file, n]) => [file, n / total]);
}
