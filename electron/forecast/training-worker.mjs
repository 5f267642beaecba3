// Worker entry: workers do not inherit the parent's TypeScript loader, so register tsx here and
// then load the real worker. (A compiled build points the Worker at the compiled file instead.)
import { register } from 'tsx/esm/api';

register();
await import('./training-worker.ts');
