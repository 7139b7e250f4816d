import '@testing-library/jest-dom/vitest';
import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';

afterEach(() => {
  cleanup();
  localStorage.clear();
});

// jsdom has no layout: the router's scroll-to-top is a no-op here.
window.scrollTo = (() => undefined) as typeof window.scrollTo;

// No server behind the tests' screens: a live channel's socket closes at once, as when the
// server is unreachable, so screens take their polling fallback (src/lib/live.test.tsx drives
// a socket of its own).
class UnreachableSocket {
  static OPEN = 1;
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: (() => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  constructor() {
    setTimeout(() => {
      this.readyState = 3;
      this.onclose?.({ code: 1006 });
    }, 0);
  }
  send(): void {}
  close(): void {
    this.readyState = 3;
  }
}
globalThis.WebSocket = UnreachableSocket as unknown as typeof WebSocket;
