import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

// Served by the BFF at /console/ (bff/src/http/console-static.ts). `@cityloop/shared` resolves to its
// TypeScript sources, as jest's moduleNameMapper does, so the console never needs shared built first.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  resolve: {
    alias: { '@cityloop/shared': path.resolve(here, '../../shared/src/index.ts') },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    chunkSizeWarningLimit: 1500,
    // No inline module preload polyfill: the CSP allows scripts from 'self' only.
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
