/**
 * Runs a job's Firestore writes one after another. Concurrent transactions on the same document
 * contend for its lock (the emulator makes the loser wait seconds), so progress, lease renewals
 * and completion share one queue instead.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
