import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load.js';

/** File text as written, or as lines joined with '\n' (no newline added at the end). */
export type FileText = string | readonly string[];

/**
 * A fresh temporary folder named `<prefix>XXXXXX` holding `files` (relative path → text;
 * sub-folders are made as needed). Returns the folder's absolute path.
 */
export function configDir(files: Record<string, FileText> = {}, prefix = 'tokometer-config-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, typeof text === 'string' ? text : text.join('\n'));
  }
  return dir;
}

/** Writes `text` to <tmp>/tokometer.yaml and loads it the way serve does (picked up as the default file). */
export function loadYaml(text: FileText, env: Record<string, string | undefined> = {}) {
  return loadConfig({ env, cwd: configDir({ 'tokometer.yaml': text }) });
}
