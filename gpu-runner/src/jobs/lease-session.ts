import { errors, type RunnerError } from "../errors";
import type { Logger } from "../log";
import { SerialQueue } from "./serial";

/**
 * What every claimed job shares while it runs: one queue for its Firestore writes, an abort
 * signal fired by shutdown or by a lost lease, and the heartbeat that keeps the lease alive
 * (`renew` answers false once the job is no longer ours: another owner, or a terminal status).
 */
export class LeaseSession {
  readonly writes = new SerialQueue();
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onShutdown = () => this.controller.abort(errors.shuttingDown());

  constructor(private readonly shutdown: AbortSignal, leaseMs: number, private readonly id: string, renew: () => Promise<boolean>, log: Logger) {
    shutdown.addEventListener("abort", this.onShutdown, { once: true });
    if (shutdown.aborted) this.onShutdown();
    this.timer = setInterval(() => {
      this.writes.run(renew).then(
        (held) => held || this.lose(),
        (e) => log.warn("job.lease_renew_failed", { error: e }),
      );
    }, Math.max(1000, leaseMs / 3));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the job was aborted, if it was. */
  get reason(): RunnerError | undefined {
    return this.controller.signal.aborted ? (this.controller.signal.reason as RunnerError) : undefined;
  }

  /** Another write found the job no longer ours: stop at once instead of at the next heartbeat. */
  lose(): void {
    if (!this.controller.signal.aborted) this.controller.abort(errors.leaseLost(this.id));
  }

  /** A write in the job's queue; false = the lease is gone. */
  write(fn: () => Promise<boolean>): Promise<boolean> {
    return this.writes.run(fn);
  }

  close(): void {
    clearInterval(this.timer);
    this.shutdown.removeEventListener("abort", this.onShutdown);
  }
}
