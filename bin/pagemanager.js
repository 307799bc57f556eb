#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npm start` needs no
// build step. `npm run build` produces dist/ for deployments that prefer it.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
