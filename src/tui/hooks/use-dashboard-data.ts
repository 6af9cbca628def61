import { useEffect, useRef, useState } from 'react';
import type { DashboardQuery, DashboardSnapshot, DashboardSource } from '../types.js';

export interface DashboardData {
  /** The latest snapshot; null until the first load succeeds. */
  snapshot: DashboardSnapshot | null;
  /** Message of the latest failed load; null once a load succeeds again. */
  error: string | null;
}

/**
 * Polls the source off the render path: at once when the query changes, then again
 * `intervalMs` after each load ends (or twice the load's duration, when that is longer),
 * so loads never overlap. State changes only when the snapshot differs from the last one
 * shown (compared as JSON), so an idle database costs no re-render; an answer for an
 * outdated query is dropped.
 */
export function useDashboardData(source: DashboardSource, query: DashboardQuery, intervalMs: number): DashboardData {
  const [data, setData] = useState<DashboardData>({ snapshot: null, error: null });
  const shown = useRef<{ json: string; error: string | null }>({ json: '', error: null });
  const key = JSON.stringify(query);

  useEffect(() => {
    let active = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const q = JSON.parse(key) as DashboardQuery;
    const tick = async () => {
      const started = Date.now();
      try {
        const snapshot = await source.load(q);
        const json = JSON.stringify(snapshot);
        if (active && (json !== shown.current.json || shown.current.error !== null)) {
          shown.current = { json, error: null };
          setData({ snapshot, error: null });
        }
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        if (active && error !== shown.current.error) {
          shown.current = { ...shown.current, error };
          setData((prev) => ({ ...prev, error }));
        }
      }
      // A slow load (a big call log) stretches the pause, so keys stay responsive between loads.
      if (active) timer = setTimeout(() => void tick(), Math.max(intervalMs, 2 * (Date.now() - started)));
    };
    void tick();
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, [source, key, intervalMs]);

  return data;
}
