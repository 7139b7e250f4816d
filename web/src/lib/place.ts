/** The customer's chosen delivery point and the store that serves it, remembered across visits. */
import { useSyncExternalStore } from 'react';

export interface Place {
  lat: number;
  lng: number;
  label: string;
  address_id?: string | null;
  store_id: string;
  store_name: string;
  eta_minutes: number | null;
  /** Why the promise is what it is (absent in places saved before the field existed). */
  eta_status?: EtaStatus | null;
  eta_range?: { p50: number; p90: number } | null;
}

export type EtaStatus = 'on_time' | 'riders_busy' | 'finding_rider';

type Estimate = Pick<Place, 'eta_minutes' | 'eta_status' | 'eta_range'>;

/** The delivery time in words, short (the header) or long (a sentence), saying why it is
 * longer when no rider is free; null when there is no estimate. */
export function promiseText(p: Estimate, form: 'short' | 'long'): string | null {
  if (!p.eta_minutes) return null;
  const range = p.eta_range ? `${p.eta_range.p50}–${p.eta_range.p90}` : `${p.eta_minutes}`;
  if (p.eta_status === 'finding_rider')
    return form === 'short'
      ? `Finding a rider · ${range} min`
      : `in ${range} minutes: we are finding a rider`;
  if (p.eta_status === 'riders_busy')
    return form === 'short'
      ? `Riders busy · ${range} min`
      : `in ${range} minutes: every rider is out on a delivery`;
  return form === 'short'
    ? `Delivery in ${p.eta_minutes} min`
    : `in about ${p.eta_minutes} minutes`;
}

const KEY = 'kirana.place';
const listeners = new Set<() => void>();
let cachedRaw: string | null | undefined;
let cachedPlace: Place | null = null;

export function getPlace(): Place | null {
  const raw = typeof localStorage === 'undefined' ? null : localStorage.getItem(KEY);
  if (raw === cachedRaw) return cachedPlace;
  cachedRaw = raw;
  try {
    cachedPlace = raw ? (JSON.parse(raw) as Place) : null;
  } catch {
    cachedPlace = null;
  }
  return cachedPlace;
}

export function setPlace(place: Place | null): void {
  if (place) localStorage.setItem(KEY, JSON.stringify(place));
  else localStorage.removeItem(KEY);
  listeners.forEach((fn) => fn());
}

export function usePlace(): Place | null {
  return useSyncExternalStore(
    (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    getPlace,
    () => null,
  );
}
