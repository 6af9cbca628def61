import { useEffect, useRef, useState } from 'react';
import type { DashboardQuery, DashboardSnapshot, DashboardSource } from '../types.js';

export interface DashboardData {
  /** The latest snapshot; null until the first load succeeds. */
  snapshot: DashboardSnapshot | null;
  /** Message of the latest failed load; null once a load succeeds again. */
  error: string | null;
}

/**
 * Polls the source every `intervalMs` (and at once when the query changes), off the
 * render path. State changes only when the snapshot differs from the last one shown
 * (compared as JSON), so an idle database costs no re-render. A load still running when
 * the next tick comes is not doubled; an answer for an outdated query is dropped.
 */
export function useDashboardData(source: DashboardSource, query: DashboardQuery, intervalMs: number): DashboardData {
  const [data, setData] = useState<DashboardData>({ snapshot: null, error: null });
  const shown = useRef<{ json: string; error: string | null }>({ json: '', error: null });
  const key = JSON.stringify(query);

  useEffect(() => {
    let active = true;
    let running = false;
    const q = JSON.parse(key) as DashboardQuery;
    const tick = async () => {
      if (running) return;
      running = true;
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
      } finally {
        running = false;
      }
    };
    void tick();
    const timer = setInterval(() => void tick(), intervalMs);
    return () => {
      active = false;
      clearInterval(timer);
    };
  }, [source, key, intervalMs]);

  return data;
}
