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
