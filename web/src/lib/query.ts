/**
 * A small query hook: keyed cache (so going back shows data at once, no layout jump), optional
 * polling, reload, and local updates. Enough for this app without a data-fetching library.
 */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';

interface Entry {
  data?: unknown;
  error?: unknown;
  at: number;
}

const cache = new Map<string, Entry>();
const subscribers = new Map<string, Set<() => void>>();
// One request per key at a time: screens mounting together share it.
const inflight = new Map<string, Promise<void>>();

function notify(key: string) {
  subscribers.get(key)?.forEach((fn) => fn());
}

export function setQueryData<T>(key: string, data: T): void {
  cache.set(key, { data, at: Date.now() });
  notify(key);
}

export function getQueryData<T>(key: string): T | undefined {
  return cache.get(key)?.data as T | undefined;
}

/** Forget cached answers whose key starts with `prefix` and make mounted queries fetch again. */
export function invalidate(prefix: string): void {
  for (const key of [...cache.keys()]) {
    if (key.startsWith(prefix)) cache.delete(key);
  }
  for (const key of subscribers.keys()) {
    if (key.startsWith(prefix)) notify(key);
  }
}

/** Forget the cached answer of exactly `key` (not the keys it prefixes) and fetch it again. */
export function invalidateKey(key: string): void {
  cache.delete(key);
  notify(key);
}

export function clearQueries(): void {
  const keys = [...subscribers.keys()];
  cache.clear();
  keys.forEach(notify);
}

export interface QueryState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => Promise<void>;
  setData: (data: T) => void;
}

export function useQuery<T>(
  key: string | null,
  fetcher: () => Promise<T>,
  options: { pollMs?: number } = {},
): QueryState<T> {
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const [version, setVersion] = useState(0);
  const [inFlight, setInFlight] = useState(false);

  const subscribe = useCallback(
    (fn: () => void) => {
      if (!key) return () => undefined;
      const set = subscribers.get(key) ?? new Set();
      set.add(fn);
      subscribers.set(key, set);
      return () => {
        set.delete(fn);
        if (!set.size) subscribers.delete(key);
      };
    },
    [key],
  );
  const entry = useSyncExternalStore(
    subscribe,
    () => (key ? cache.get(key) : undefined),
    () => undefined,
  );

  const run = useCallback(async () => {
    if (!key) return;
    const pending = inflight.get(key);
    if (pending) return pending;
    setInFlight(true);
    const request = (async () => {
      try {
        const data = await fetcherRef.current();
        cache.set(key, { data, at: Date.now() });
      } catch (error) {
        const previous = cache.get(key);
        // Keep showing the last good data when a refresh fails (e.g. offline).
        cache.set(key, { data: previous?.data, error, at: Date.now() });
      } finally {
        inflight.delete(key);
        notify(key);
      }
    })();
    inflight.set(key, request);
    try {
      await request;
    } finally {
      setInFlight(false);
    }
  }, [key]);

  const missing = key !== null && entry === undefined;
  useEffect(() => {
    if (missing) void run();
  }, [missing, run, version]);

  useEffect(() => {
    if (!key || !options.pollMs) return;
    const id = setInterval(() => {
      if (typeof document === 'undefined' || document.visibilityState !== 'hidden') void run();
    }, options.pollMs);
    return () => clearInterval(id);
  }, [key, options.pollMs, run]);

  return {
    data: entry?.data as T | undefined,
    error: entry?.error,
    loading: key !== null && (entry === undefined || (inFlight && entry.data === undefined)),
    reload: async () => {
      await run();
      setVersion((v) => v + 1);
    },
    setData: (data: T) => {
      if (key) setQueryData(key, data);
    },
  };
}
