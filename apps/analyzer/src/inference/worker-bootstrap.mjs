// Worker threads on Node 20 do not pick up the parent's TypeScript loader (tsx) for their entry
// file, so the worker starts here in plain JS, registers tsx, then loads the real worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
