import { useEffect, useState } from 'preact/hooks';

export interface Loaded<T> {
  data: T | undefined;
  /** What the last load threw (an ApiError, an OfflineError…); the screen decides how to word it. */
  error: unknown;
  loading: boolean;
  /** Loads again with the same inputs (after an action changed the resource). */
  reload: () => void;
}

/**
 * The console's one way for a screen to load what it shows: on mount, whenever `deps` change, and on `reload`. Only
 * the latest request's answer is kept: answers can arrive out of order (a filter or page changed while the previous
 * list was on its way), and a late answer to an earlier request must not replace the newer one. The data shown stays
 * until the next answer arrives; a refusal clears it. A null `load` loads nothing (a screen waiting for a choice).
 */
export function useLoad<T>(load: (() => Promise<T>) | null, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!load) return;
    let latest = true;
    setLoading(true);
    setError(null);
    load().then(
      (d) => {
        if (!latest) return;
        setData(d);
        setLoading(false);
      },
      (e: unknown) => {
        if (!latest) return;
        setData(undefined);
        setError(e);
        setLoading(false);
      },
    );
    return () => {
      latest = false;
    };
  }, [...deps, tick]);
  return { data, error, loading, reload: () => setTick((n) => n + 1) };
}
