import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  /** Loads again now (after a change the page made). */
  reload: () => void;
}

/**
 * Calls `load` now and then every `everyMs` (0: once) while the component is shown, keeping the last good
 * answer beside the last error; a new call starts only after the previous one ended.
 */
export function usePolled<T>(load: () => Promise<T>, everyMs: number, deps: unknown[] = []): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [round, setRound] = useState(0);
  const latest = useRef(load);
  latest.current = load;

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const answer = await latest.current();
        if (stopped) return;
        setData(answer);
        setError(undefined);
      } catch (err) {
        if (stopped) return;
        setError(err instanceof ApiError ? err : new ApiError(0, 'ERROR', String(err)));
      }
      if (!stopped && everyMs > 0) timer = setTimeout(run, everyMs);
    };
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [...deps, round, everyMs]);

  useEffect(() => setData(undefined), deps);
  return { data, error, reload: () => setRound((n) => n + 1) };
}
