// Per instance (per Firestore client): the one open hold this instance spends from, per wallet.
// It is the hold's only spender, so its idea of what is left is exact unless someone closed the
// hold (the sweeper after expiry, a clawback's recall): then the guarded spend fails, the commit
// re-reads, finds it closed and forgets it. Quiet wallets get no hold; their creates keep the
// direct path (one commit on the wallet, as before holds).
import { randomUUID } from "node:crypto";
import type { Firestore } from "firebase-admin/firestore";
import { log } from "../../shared/log";
import type { WalletRef } from "../walletRef";
import { RateMeter, type SizingPolicy } from "./sizing";
import { releaseHold, rollHold } from "./store";

export interface KeeperOptions {
  policy: SizingPolicy;
  ttlMs: number;
  /** Stop spending from a hold this long before it expires, so the sweeper never races a spend. */
  marginMs: number;
  /** No create for this long: the hold goes back (on the next commit or sweep of this instance). */
  idleMs: number;
}

interface Open { wallet: WalletRef; holdId: string; unspent: number; expiresAtMs: number; lastUseMs: number }

export class HoldKeeper {
  readonly instance = `i${randomUUID().replace(/-/g, "").slice(0, 12)}`;
  private readonly meter: RateMeter;
  private readonly open = new Map<string, Open>();
  private seq = 0;
  private idleCheckMs = 0;
  /** Holds taken, and wallet writes made for them (for benchmarks and logs). */
  readonly counters = { reserved: 0, released: 0 };

  constructor(private readonly db: Firestore, private readonly opts: KeeperOptions) {
    this.meter = new RateMeter(opts.policy);
  }

  /** The hold to spend `need` credits from now, taking or replacing one when the wallet is hot here; null: the direct path. */
  async holdFor(account: string, wallet: WalletRef, need: number, nowMs: number): Promise<string | null> {
    if (nowMs - this.idleCheckMs >= this.opts.idleMs) {
      this.idleCheckMs = nowMs;
      void this.releaseIdle(nowMs, account);
    }
    const cur = this.open.get(account);
    const usable = cur && cur.expiresAtMs - this.opts.marginMs > nowMs && cur.unspent >= need;
    if (usable) return cur.holdId;
    const size = this.meter.holdSize(account, nowMs, need);
    if (size === 0) {
      if (cur) await this.release(account, "hold no longer needed");
      return null;
    }
    const holdId = `${this.instance}-${++this.seq}`;
    let r;
    try {
      r = await rollHold(this.db, wallet, { holdId, instance: this.instance, amount: size, min: need, ttlMs: this.opts.ttlMs, replaces: cur?.holdId ?? null, now: new Date(nowMs) });
    } catch (err) {
      // A busy wallet: this commit takes the direct path. Had the roll landed after all, the old
      // hold reads closed at its next use and the new one, unknown here, goes back at expiry.
      log.warn("hold roll failed", { holdId, error: String((err as Error).message) });
      return null;
    }
    this.open.delete(account);
    if (cur) this.counters.released++;
    if (!r.ok) return null;
    this.counters.reserved++;
    this.open.set(account, { wallet, holdId, unspent: r.hold.reserved, expiresAtMs: r.hold.expiresAtMs, lastUseMs: nowMs });
    return holdId;
  }

  /** Creates committed (whichever path): feeds the rate the next hold is sized from. */
  record(account: string, nowMs: number, credits: number[]): void {
    for (const c of credits) this.meter.record(account, nowMs, c);
  }

  /** A spend from the hold landed and left `unspent`. */
  spent(account: string, holdId: string, unspent: number, nowMs: number): void {
    const cur = this.open.get(account);
    if (cur?.holdId === holdId) Object.assign(cur, { unspent, lastUseMs: nowMs });
  }

  /** The hold was found closed (swept, recalled): forget it. */
  forget(account: string, holdId: string): void {
    if (this.open.get(account)?.holdId === holdId) this.open.delete(account);
  }

  /** Returns holds idle for `idleMs` (called from the commit path; timers may not run between requests). */
  async releaseIdle(nowMs: number, except?: string): Promise<void> {
    for (const [account, h] of [...this.open]) if (account !== except && nowMs - h.lastUseMs >= this.opts.idleMs) await this.release(account, "hold idle");
  }

  /** On shutdown: every open hold goes back. */
  async releaseAll(): Promise<void> {
    for (const account of [...this.open.keys()]) await this.release(account, "instance shutting down");
  }

  private async release(account: string, reason: string): Promise<void> {
    const h = this.open.get(account);
    if (!h) return;
    this.open.delete(account);
    try {
      await releaseHold(this.db, h.wallet, h.holdId, { actor: `system:instance:${this.instance}`, reason });
      this.counters.released++;
    } catch (err) {
      // The sweeper returns it after expiry; nothing is lost by leaving it open.
      log.warn("hold release failed", { holdId: h.holdId, error: String((err as Error).message) });
    }
  }
}
