#!/usr/bin/env node
// The `loop-finale` command (package.json "bin"): runs the TypeScript CLI through tsx, a runtime
// dependency of the project, from wherever it is invoked.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
