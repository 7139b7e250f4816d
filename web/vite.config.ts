/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The app is served by the Python process at `/` (SPA fallback), the API stays on the same origin.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: '../src/kirana/static/app',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    chunkSizeWarningLimit: 300,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8000',
      '/ws': { target: 'ws://127.0.0.1:8000', ws: true },
      '/healthz': 'http://127.0.0.1:8000',
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    // Only the stylesheets' own test reads CSS (as text); components render without it.
    css: { include: [/src\/styles(\/[\w-]+)?\.css/] },
  },
});
