#!/usr/bin/env node
// Runs the compiled server in dist/ (`npm run build`; `npm start` builds first). No TypeScript at run time.
import fs from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!fs.existsSync(entry)) {
  console.error('Gatehouse is not built yet: run `npm run build` (or `npm start`, which builds and serves).');
  process.exit(1);
}
await import(entry.href);
