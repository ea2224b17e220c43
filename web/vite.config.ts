import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const backend = 'http://localhost:3000';

export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // Split by route (web/src/App.tsx lazy-loads every page but the sign-in flow's): a page loads the
    // libraries it uses, not one vendor chunk of everything. React and the router, which every page
    // needs and which change less often than the app, get a chunk of their own that outlives releases.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [{ name: 'react', test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/ }],
        },
      },
    },
    // scripts/precompress-web.mjs writes .br and .gz beside each file: the size that matters is compressed.
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/api': backend,
      '/healthz': backend,
      '/readyz': backend,
    },
  },
});
