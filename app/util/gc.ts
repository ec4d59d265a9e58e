// After a very large push the heap holds a document's worth of garbage; V8 collects it lazily,
// so the next large push would grow the process further. A full collection right after the
// answer is sent (off the request's path) keeps the peak to one push's worth.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

export function collectGarbageSoon(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose_gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  if (gc) setImmediate(gc);
}
