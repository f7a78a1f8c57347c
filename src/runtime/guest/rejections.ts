/**
 * Unhandled promise rejections are reported by Node per process, not per realm. One listener routes
 * each one to the guest whose realm created the promise; a rejection from anywhere else keeps Node's
 * default behaviour (it is rethrown as an uncaught exception) unless someone else listens too.
 */

interface Watched {
  promiseCtor: unknown;
  report: (reason: unknown) => void;
}

const watched = new Set<Watched>();
let installed = false;

function onRejection(reason: unknown, promise: Promise<unknown>): void {
  for (const w of watched) {
    if (promise instanceof (w.promiseCtor as typeof Promise)) {
      w.report(reason);
      return;
    }
  }
  if (process.listenerCount('unhandledRejection') === 1) {
    setImmediate(() => {
      throw reason;
    });
  }
}

export function watchRejections(promiseCtor: unknown, report: (reason: unknown) => void): () => void {
  const entry: Watched = { promiseCtor, report };
  watched.add(entry);
  if (!installed) {
    installed = true;
    process.on('unhandledRejection', onRejection);
  }
  return () => {
    watched.delete(entry);
    if (watched.size === 0 && installed) {
      installed = false;
      process.off('unhandledRejection', onRejection);
    }
  };
}
