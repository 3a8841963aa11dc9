// Worker threads on Node 20 do not inherit tsx for their entry file: register it, then load the TS worker.
import { register } from 'tsx/esm/api';

register();
await import('./parallel-worker.ts');
