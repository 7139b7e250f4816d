/** A countdown to a moment the server named (a substitute's answer window). */
import { useEffect, useState } from 'react';

function secondsUntil(at: string, now: number): number {
  return Math.max(0, Math.ceil((Date.parse(at) - now) / 1000));
}

/** Seconds left until `at`, ticking every second; 0 once it has passed. */
export function useSecondsLeft(at: string): number {
  const [left, setLeft] = useState(() => secondsUntil(at, Date.now()));
  useEffect(() => {
    setLeft(secondsUntil(at, Date.now()));
    const id = setInterval(() => setLeft(secondsUntil(at, Date.now())), 1000);
    return () => clearInterval(id);
  }, [at]);
  return left;
}

/** 272 seconds as "4:32". */
export function clockText(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
