import '@testing-library/jest-dom/vitest';
import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';

afterEach(() => {
  cleanup();
  localStorage.clear();
});

// jsdom has no layout: the router's scroll-to-top is a no-op here.
window.scrollTo = (() => undefined) as typeof window.scrollTo;
