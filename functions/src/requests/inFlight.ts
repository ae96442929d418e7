// Per-key cap on create calls in progress in one function instance (`maxConcurrentCreates` on
// the key, else MAX_CONCURRENT_CREATES_PER_KEY). An instance serves up to 80 calls at once; a
// runaway client holding all of them would starve every other customer routed there. A batch
// call counts once, like a single create: it is one call holding one slot, whatever its size.
import { ApiError } from "../http/errors";

export class InFlight {
  private readonly counts = new Map<string, number>();

  /** Runs `work` in one of `max` slots for `id`, or refuses at once with 429 when all are taken. */
  async run<T>(id: string, max: number, work: () => Promise<T>): Promise<T> {
    const held = this.counts.get(id) ?? 0;
    if (held >= max) throw tooManyInFlight(max);
    this.counts.set(id, held + 1);
    try {
      return await work();
    } finally {
      const left = (this.counts.get(id) ?? 1) - 1;
      if (left > 0) this.counts.set(id, left);
      else this.counts.delete(id);
    }
  }

  held(id: string): number {
    return this.counts.get(id) ?? 0;
  }
}

export function tooManyInFlight(max: number): ApiError {
  return new ApiError("RATE_LIMITED", `this API key already has ${max} create calls in progress; wait for one to finish, or send several requests in one createGenerationRequests call`, { retryAfterSeconds: 1, maxConcurrentCreates: max });
}
