#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so a clone works right after `npm install`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
