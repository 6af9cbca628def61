/**
 * The one place that asks which runtime tokometer runs on. Everything else receives
 * the edges chosen here: the HTTP server, the upstream HTTP client and the SQLite driver.
 */
export type RuntimeName = 'bun' | 'node';

export function detectRuntime(): RuntimeName {
  return typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined' ? 'bun' : 'node';
}
