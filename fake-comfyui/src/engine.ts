import type { Faults, PromptFault } from "./faults";
import { executePrompt, Interrupted } from "./execute";
import type { FileStore } from "./file-store";
import type { Prompt } from "./validate";
import type { WsHub } from "./ws-hub";

export interface QueueItem {
  number: number;
  promptId: string;
  prompt: Prompt;
  extraData: Record<string, unknown>;
  outputs: string[];
  clientId: string | null;
  fault: PromptFault;
}

/** One prompt's stay on the fake GPU (epoch ms): what benchmarks measure utilisation and gaps with. */
export interface ExecutionRecord { promptId: string; queuedAt: number; startedAt: number; endedAt: number; ok: boolean }

/** One sampler run (KSampler): tests read it to see a refine pass, its size and its denoise. */
export interface SamplerPass { promptId: string; node: string; width: number; height: number; steps: number; denoise: number; fromPixels: boolean; masked: boolean }

const EXECUTION_LOG_MAX = 10_000;

/** One prompt at a time, like a single GPU; queue and history live in memory. */
export class Engine {
  readonly pending: QueueItem[] = [];
  running: QueueItem | null = null;
  currentNode: string | null = null;
  readonly history = new Map<string, Record<string, unknown>>();
  readonly accepted: QueueItem[] = [];
  readonly interrupts: string[] = [];
  /** Prompt ids cancelled through the jobs API (targeted, atomic). */
  readonly cancels: string[] = [];
  readonly executions: ExecutionRecord[] = [];
  readonly samplerPasses: SamplerPass[] = [];
  private readonly queuedAt = new Map<string, number>();
  private interruptFlag = false;
  private wakeInterrupt: (() => void) | null = null;
  /** Wakes a `stuck` sleep (hard_hang): only a restart or stop does. */
  private wakeStuck: (() => void) | null = null;
  /** True while a hard_hang step is stuck (tests wait for it before interrupting). */
  get stuck(): boolean {
    return this.wakeStuck !== null;
  }
  /** The worker thread died (worker_dead): nothing runs until a restart. */
  private workerDead = false;
  private counter = 0;
  private stopped = false;
  /** Bumped by restart(): work begun in an older epoch leaves no trace, like a killed process. */
  private epoch = 0;
  /** While set, a sampling prompt waits before its last step (hold/release): tests' explicit signal. */
  private held: { promise: Promise<void>; release: () => void } | null = null;

  constructor(private readonly hub: WsHub, private readonly files: FileStore, private readonly faults: Faults) {}

  nextNumber(): number {
    return this.counter++;
  }

  enqueue(item: QueueItem): void {
    this.accepted.push(item);
    this.queuedAt.set(item.promptId, Date.now());
    this.pending.push(item);
    this.pending.sort((a, b) => a.number - b.number);
    this.broadcastStatus();
    if (!this.running && !this.workerDead) void this.drain();
  }

  queueRemaining(): number {
    return this.pending.length + (this.running ? 1 : 0);
  }

  broadcastStatus(): void {
    this.hub.broadcast("status", { status: { exec_info: { queue_remaining: this.queueRemaining() } } });
  }

  /** POST /interrupt: only the running prompt, and only if the id matches (or none given). */
  interrupt(promptId?: string): void {
    if (!this.running || (promptId && promptId !== this.running.promptId)) return;
    this.interrupts.push(this.running.promptId);
    this.interruptFlag = true;
    this.wakeInterrupt?.();
  }

  /** POST /api/jobs/{id}/cancel: interrupts that prompt only if it is the running one, or drops it from the queue. */
  cancel(promptId: string): boolean {
    this.cancels.push(promptId);
    if (this.running?.promptId === promptId) return this.interrupt(promptId), true;
    const before = this.pending.length;
    this.deletePending([promptId]);
    return this.pending.length < before;
  }

  deletePending(ids: string[] | "all"): void {
    const keep = this.pending.filter((i) => ids !== "all" && !ids.includes(i.promptId));
    this.pending.splice(0, this.pending.length, ...keep);
    this.broadcastStatus();
  }

  /** Simulates a ComfyUI restart: queue, history and the running prompt vanish. */
  restart(): void {
    this.epoch++;
    this.pending.splice(0);
    this.history.clear();
    this.hub.dropAll();
    this.interruptFlag = true;
    this.wakeInterrupt?.();
    this.wakeStuck?.();
    if (this.workerDead) (this.workerDead = false), (this.running = null), (this.currentNode = null);
  }

  stop(): void {
    this.release();
    this.stopped = true;
    this.interruptFlag = true;
    this.wakeInterrupt?.();
    this.wakeStuck?.();
  }

  /**
   * Tests: from now on a sampling prompt stops before its last step (its earlier progress is
   * sent) until release(), so "still running" is a state the test holds, not a race against imageMs.
   */
  hold(): void {
    if (this.held) return;
    let release!: () => void;
    const promise = new Promise<void>((r) => (release = r));
    this.held = { promise, release };
  }

  release(): void {
    this.held?.release();
    this.held = null;
  }

  /** Waits while held (interruptible like sleep). */
  async gate(): Promise<void> {
    while (this.held) {
      if (this.interruptFlag) throw new Interrupted();
      const { promise } = this.held;
      await new Promise<void>((resolve, reject) => {
        void promise.then(() => ((this.wakeInterrupt = null), resolve()));
        this.wakeInterrupt = () => {
          this.wakeInterrupt = null;
          reject(new Interrupted());
        };
      });
    }
  }

  /** Sleeps `ms` unless interrupted; `forever` = the hang fault; `stuck` = hard_hang, deaf to interrupts. */
  sleep(ms: number | "forever" | "stuck"): Promise<void> {
    if (ms === "stuck") return new Promise((_, reject) => (this.wakeStuck = () => ((this.wakeStuck = null), reject(new Interrupted()))));
    if (this.interruptFlag) return Promise.reject(new Interrupted());
    return new Promise((resolve, reject) => {
      const t = ms === "forever" ? null : setTimeout(() => ((this.wakeInterrupt = null), resolve()), ms);
      this.wakeInterrupt = () => {
        if (t) clearTimeout(t);
        this.wakeInterrupt = null;
        reject(new Interrupted());
      };
    });
  }

  private logExecution(promptId: string, startedAt: number, ok: boolean): void {
    const queuedAt = this.queuedAt.get(promptId) ?? startedAt;
    this.queuedAt.delete(promptId);
    this.executions.push({ promptId, queuedAt, startedAt, endedAt: Date.now(), ok });
    if (this.executions.length > EXECUTION_LOG_MAX) this.executions.splice(0, this.executions.length - EXECUTION_LOG_MAX);
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.pending.length) {
      const item = this.pending.shift()!;
      this.running = item;
      this.interruptFlag = false;
      // Without a client_id ComfyUI sends progress to everyone and the other events to no one.
      const emit = (type: string, data: Record<string, unknown>) =>
        item.clientId ? this.hub.send(item.clientId, type, data) : type === "progress" && this.hub.broadcast(type, data);
      const epoch = this.epoch;
      const startedAt = Date.now();
      if (item.fault === "worker_dead") {
        emit("execution_start", { prompt_id: item.promptId, timestamp: startedAt });
        this.workerDead = true; // `running` stays set: ComfyUI's currently_running is never cleared
        return;
      }
      const outputs = await executePrompt(item, { engine: this, hub: this.hub, files: this.files, faults: this.faults, emit });
      if (this.faults.teardownMs > 0) await new Promise((r) => setTimeout(r, this.faults.teardownMs));
      this.logExecution(item.promptId, startedAt, outputs.ok);
      if (epoch !== this.epoch) {
        this.running = null;
        continue;
      }
      this.history.set(item.promptId, {
        prompt: [item.number, item.promptId, item.prompt, item.extraData, item.outputs],
        outputs: outputs.outputs,
        status: { status_str: outputs.ok ? "success" : "error", completed: outputs.ok, messages: [...outputs.messages] },
        meta: Object.fromEntries(Object.keys(outputs.outputs).map((id) => [id, { node_id: id, display_node: id, parent_node: null, real_node_id: id }])),
      });
      this.running = null;
      this.currentNode = null;
      // main.py's prompt_worker: history first, then status and executing {node: null}, for failures too.
      this.broadcastStatus();
      emit("executing", { node: null, prompt_id: item.promptId });
    }
  }
}
