// Bounds CPU- and memory-heavy work per instance (image decodes): at most `max` at once, at most
// `maxWaiting` queued behind them; past that the caller is told to come back (503 + Retry-After)
// instead of piling up decodes until the instance runs out of memory (decodes.ts holds the one
// instance every decode shares).
export class Semaphore {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly max: number, private readonly maxWaiting: number, private readonly busy: () => Error) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.max) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxWaiting) {
      return Promise.reject(this.busy());
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
