// Worker entry: workers do not inherit the parent's TypeScript loader, so register tsx here and
// then load the real thread.
import { register } from 'tsx/esm/api';

register();
await import('./training-thread.ts');
