// Group commit per account, inside one function instance. Creates for the same account never
// race each other for its balance document: at most one commit per account is in flight, and
// whatever arrives meanwhile waits for it; the next commit takes every waiting submission (whole
// submissions, in arrival order, up to `maxItems` items; a single submission larger than that
// still goes alone). An idle account waits for nothing: a lone create starts its commit at once.
// A commit that has to run again (it lost to another writer) may `pull` what queued meanwhile into
// itself, so contention makes commits bigger rather than more numerous. Each submission gets the
// outcomes of its own items; a commit that throws rejects only the submissions that were in it,
// and the queue carries on.

/**
 * Commits `items` for `account`, plus whatever `pull()` hands it (appended, in arrival order);
 * resolves with one outcome per item, in order.
 */
export type CommitFn<I, O> = (account: string, items: I[], pull: () => I[]) => Promise<O[]>;

interface Submission<I, O> {
  items: I[];
  resolve: (outcomes: O[]) => void;
  reject: (err: unknown) => void;
}

export class GroupCommitter<I, O> {
  /** A queue exists exactly while a commit for its account is in flight. */
  private readonly queues = new Map<string, Submission<I, O>[]>();

  constructor(private readonly commit: CommitFn<I, O>, private readonly maxItems: number) {}

  submit(account: string, items: I[]): Promise<O[]> {
    return new Promise((resolve, reject) => {
      const submission = { items, resolve, reject };
      const queue = this.queues.get(account);
      if (queue) {
        queue.push(submission);
        return;
      }
      this.queues.set(account, []);
      void this.run(account, [submission]);
    });
  }

  /** Items waiting behind a commit in flight, per account (for logs and benchmarks). */
  waiting(account: string): number {
    return (this.queues.get(account) ?? []).reduce((n, s) => n + s.items.length, 0);
  }

  private async run(account: string, group: Submission<I, O>[]): Promise<void> {
    const items = group.flatMap((s) => s.items);
    const pull = () => {
      const more = takeGroup(this.queues.get(account) ?? [], this.maxItems - items.length, false);
      group.push(...more);
      const added = more.flatMap((s) => s.items);
      items.push(...added);
      return added;
    };
    try {
      const outcomes = await this.commit(account, [...items], pull);
      if (outcomes.length !== items.length) throw new Error(`commit answered ${outcomes.length} outcomes for ${items.length} items`);
      let at = 0;
      for (const s of group) {
        s.resolve(outcomes.slice(at, at + s.items.length));
        at += s.items.length;
      }
    } catch (err) {
      for (const s of group) s.reject(err);
    }
    const queue = this.queues.get(account) ?? [];
    if (!queue.length) {
      this.queues.delete(account);
      return;
    }
    void this.run(account, takeGroup(queue, this.maxItems));
  }
}

/** Removes and returns whole submissions from the front while they fit in `maxItems` (at least one, unless told otherwise). */
export function takeGroup<T extends { items: unknown[] }>(queue: T[], maxItems: number, atLeastOne = true): T[] {
  let n = 0;
  let total = 0;
  while (n < queue.length && ((n === 0 && atLeastOne) || total + queue[n].items.length <= maxItems)) {
    total += queue[n].items.length;
    n++;
  }
  return queue.splice(0, n);
}
