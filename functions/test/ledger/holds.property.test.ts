// Property test of escrow holds without Firestore: random interleavings of grants (expiring or
// not), direct debits (a quiet wallet), holds taken and replaced by several instances, creates
// spent from holds as the create path spends them (walletOfHold → WalletSession → holdAfter →
// writeHoldSpend), refunds of debits made from a hold or not, instances dying with holds open,
// time passing (grants expire, the sweeper returns expired holds), idle releases, and clawbacks
// that recall every open hold first. After every step the money audit's own checks pass on what
// was written; no sequence spends more than was granted; at quiescence no hold is left open.
import { Firestore } from "firebase-admin/firestore";
import { rng } from "../../../test-support/rng";
import { auditWallet, type AuditWallet } from "../../../test-support/money-audit/checks";
import type { AuditHold } from "../../../test-support/money-audit/holds";
import type { GrantInfo } from "../../src/ledger/grants/allocate";
import { WalletSession } from "../../src/ledger/grants/session";
import { creditsOf, type Draw, type Wallet } from "../../src/ledger/grants/wallet";
import { writeSession } from "../../src/ledger/grants/write";
import { holdAfter, holdUsable, walletOfHold, writeHoldSpend } from "../../src/ledger/holds/holdCommit";
import { holdEntryId, releaseEntryId, unspentOf, type Hold } from "../../src/ledger/holds/hold";
import { holdPath } from "../../src/ledger/holds/store";
import { orgWallet, userWallet, walletPath, type WalletRef } from "../../src/ledger/walletRef";
import { calendarDayOf, isoWeekOf } from "../../src/shared/isoWeek";
import { CommittedBatch } from "../billing/committedBatch";

const MIN = 60_000;
const DAY = 86_400_000;
const INSTANCES = 4;
const TTL = 30 * MIN;
const refs = new Firestore({ projectId: "demo-unit" });

interface Debit { id: string; cost: number; draws: Draw[]; holdId?: string; refunded: boolean; createdAtMs: number }

class Model {
  wallet: Wallet = { grants: [], debt: 0, creditLimit: 0, debtBlocks: false, frozen: false, legacy: null };
  batch = new CommittedBatch();
  now = Date.parse("2026-03-02T00:00:00Z");
  commit = 0;
  /** Entry id → the commit that wrote it (the audit orders commits by time). */
  commitOf = new Map<string, number>();
  holds = new Map<string, Hold>();
  mine = new Map<number, string>();
  dead = new Set<number>();
  debits: Debit[] = [];
  usage = new Map<string, { debited: number; refunded: number }>();
  granted = 0;
  seq = 0;
  constructor(readonly owner: WalletRef) {}

  session(actor?: string) { return new WalletSession(this.wallet, this.now, actor); }

  apply(s: WalletSession) {
    this.commit++;
    writeSession(refs, this.batch, this.owner, s, new Date(this.now));
    for (const e of s.entries) this.commitOf.set(e.id, this.commit);
    this.wallet = s.wallet;
  }

  get grants() { return this.batch.under(`${walletPath(this.owner)}/grants/`) as unknown as { id: string; source: GrantInfo["source"]; expiresAt: Date | null; createdAt: Date; amount: number; remaining: number; drawn: number; givenBack: number; expired: number }[]; }

  grantInfo(): Map<string, GrantInfo> {
    return new Map(this.grants.map((g) => [g.id, { source: g.source, expiresAtMs: g.expiresAt?.getTime() ?? null, createdAtMs: g.createdAt.getTime() }]));
  }

  /** Adds to the weekly and the daily counter of the period `ms` falls in, as addUsage does. */
  count(ms: number, field: "debited" | "refunded", amount: number) {
    for (const period of [`week:${isoWeekOf(new Date(ms), "UTC")}`, `day:${calendarDayOf(new Date(ms), "UTC")}`]) {
      const u = this.usage.get(period) ?? (this.usage.set(period, { debited: 0, refunded: 0 }), this.usage.get(period)!);
      u[field] += amount;
    }
  }

  /** Releases an open hold into `s` as writeRelease does; closes its document. */
  release(s: WalletSession, holdId: string) {
    const h = this.holds.get(holdId)!;
    if (h.state !== "open") return;
    const r = s.release(releaseEntryId(holdId), h.draws, this.grantInfo(), { holdId, reason: "t", actor: "t" });
    this.holds.set(holdId, { ...h, draws: [], state: "closed" });
    this.returned.set(holdId, r);
  }
  returned = new Map<string, { amount: number; forfeited: number }>();

  /** rollHold: the instance's old hold (if open) is released and a new one taken, in one commit. */
  take(instance: number, amount: number) {
    const s = this.session(`system:instance:${instance}`);
    const old = this.mine.get(instance);
    if (old) this.release(s, old);
    const id = `i${instance}-${++this.seq}`;
    const give = Math.min(amount, Math.max(0, s.credits));
    const plan = give > 0 ? s.hold(holdEntryId(id), give, { holdId: id, reason: "t", actor: "t" }) : null;
    if (plan?.ok) {
      this.holds.set(id, { id, instance: String(instance), reserved: give, spent: 0, draws: plan.draws, state: "open", expiresAtMs: this.now + TTL });
      this.mine.set(instance, id);
    } else this.mine.delete(instance);
    this.apply(s);
  }

  /** A create spent from the instance's hold exactly as the create path does. */
  spend(instance: number, requestId: string, cost: number): boolean {
    const h = this.holds.get(this.mine.get(instance) ?? "");
    if (!h || !holdUsable(h, this.wallet, cost, this.now, 0)) return false;
    const s = new WalletSession(walletOfHold(h, this.wallet), this.now);
    const plan = s.debit(`debit-${requestId}`, cost, { requestId, reason: "t", actor: "t" });
    if (!plan.ok) throw new Error("a usable hold refused a create");
    const after = holdAfter(h, s);
    this.commit++;
    const holdRef = refs.doc(holdPath(this.owner, h.id));
    if (!this.batch.docs.has(holdRef.path)) this.batch.set(holdRef, {}, {});
    writeHoldSpend(refs, this.batch, this.owner, { ref: holdRef, updateTime: undefined }, after, s, new Date(this.now));
    for (const e of s.entries) this.commitOf.set(e.id, this.commit);
    this.holds.set(h.id, after);
    this.debits.push({ id: requestId, cost, draws: plan.draws, holdId: h.id, refunded: false, createdAtMs: this.now });
    this.count(this.now, "debited", cost);
    return true;
  }

  audit(): string[] {
    const prefix = `${walletPath(this.owner)}/ledger/`;
    const entries = this.batch.under(prefix).map((e) => {
      const x = e as Record<string, unknown>;
      return { ...x, id: e.id, type: String(x.type), amount: Number(x.amount), createdAtMs: (x.createdAt as Date).getTime(), commitUs: this.commitOf.get(e.id)! } as AuditWallet["entries"][number];
    });
    const holds: AuditHold[] = [...this.holds.values()].map((h) => ({ id: h.id, reserved: h.reserved, spent: h.spent, unspent: h.state === "open" ? unspentOf(h) : 0, state: h.state }));
    const w: AuditWallet = {
      path: walletPath(this.owner), exists: true, credits: creditsOf(this.wallet), debt: this.wallet.debt, grants: this.wallet.grants.map((g) => ({ id: g.id, remaining: g.remaining })),
      entries, grantDocs: this.grants.map((g) => ({ ...g, origin: {} })), holds,
      jobs: this.debits.map((d) => ({ collection: "generationRequests", id: d.id, status: d.refunded ? "failed" : "succeeded", cost: d.cost, refunded: d.refunded, createdAtMs: d.createdAtMs })),
      usage: [...this.usage].map(([period, u]) => {
        const [kind, at] = period.split(":");
        return { [kind]: at, creditsDebited: u.debited, creditsRefunded: u.refunded };
      }),
    };
    const out = auditWallet(w);
    const spent = this.debits.reduce((s, d) => s + d.cost, 0) - entries.filter((e) => e.type === "refund").reduce((s, e) => s + e.amount, 0);
    if (spent > this.granted) out.push(`spent ${spent} > granted ${this.granted}`);
    return out;
  }
}

const cost = (r: () => number) => 1 + Math.floor(r() * 4);
const live = (m: Model, r: () => number) => {
  const alive = Array.from({ length: INSTANCES }, (_, i) => i).filter((i) => !m.dead.has(i));
  return alive.length ? alive[Math.floor(r() * alive.length)] : null;
};

function step(m: Model, r: () => number, n: number): string {
  const pick = Math.floor(r() * 11);
  if (pick === 0) {
    const s = m.session();
    const amount = 10 + Math.floor(r() * 60);
    s.grant({ id: `g${n}`, source: (["plan", "pack", "promo", "admin"] as const)[Math.floor(r() * 4)], amount, expiresAtMs: r() < 0.5 ? m.now + Math.floor(r() * 5) * DAY + MIN : null, origin: {} }, { reason: "t", actor: "t" });
    m.granted += amount;
    m.apply(s);
    return "grant";
  }
  if (pick === 1) {
    // A quiet wallet's create: the direct path, one commit on the wallet.
    const s = m.session();
    const c = cost(r);
    const plan = s.debit(`debit-r${n}`, c, { requestId: `r${n}`, reason: "t", actor: "t" });
    if (plan.ok) {
      m.debits.push({ id: `r${n}`, cost: c, draws: plan.draws, refunded: false, createdAtMs: m.now });
      m.count(m.now, "debited", c);
    }
    m.apply(s);
    return "direct debit";
  }
  if (pick <= 4) {
    // A hot wallet's create on a live instance: from its hold, taking or replacing one when short.
    const i = live(m, r);
    if (i === null) return "no instance";
    const c = cost(r);
    if (!m.spend(i, `r${n}`, c)) {
      m.take(i, c + Math.floor(r() * 30));
      m.spend(i, `r${n}`, c);
    }
    return "spend from hold";
  }
  if (pick === 5) {
    const open = m.debits.filter((d) => !d.refunded);
    const d = open[Math.floor(r() * open.length)];
    if (!d) return "nothing to refund";
    const s = m.session();
    d.refunded = true;
    s.refund(`refund-${d.id}`, d.draws, m.grantInfo(), { requestId: d.id, reason: "t", actor: "t" });
    m.count(d.createdAtMs, "refunded", s.entries[s.entries.length - 1].data.amount as number);
    m.apply(s);
    return d.holdId ? "refund of a debit from a hold" : "refund";
  }
  if (pick === 6) {
    // Time passes: grants expire lazily, the sweeper returns expired holds (a dead instance's too).
    m.now += r() < 0.5 ? Math.floor(r() * 40) * MIN : Math.floor(r() * 3) * DAY;
    const s = m.session("system:hold-sweep");
    for (const h of m.holds.values()) if (h.state === "open" && h.expiresAtMs <= m.now) m.release(s, h.id);
    m.apply(s);
    return "time and sweep";
  }
  if (pick === 7) {
    const i = live(m, r);
    if (i === null || INSTANCES - m.dead.size <= 1) return "keep one instance";
    m.dead.add(i);
    return "instance died";
  }
  if (pick === 8) {
    // A payment refunded: every open hold is recalled, then the clawback takes from the grants.
    const s = m.session();
    for (const h of m.holds.values()) m.release(s, h.id);
    const ids = m.grants.map((g) => g.id);
    const id = ids[Math.floor(r() * ids.length)];
    if (id) s.clawback(`clawback-${n}`, id, 1 + Math.floor(r() * 15), { reason: "t", actor: "t" });
    m.apply(s);
    return "clawback with recall";
  }
  // Idle, or shutting down: a live instance returns its hold.
  const i = live(m, r);
  const id = i === null ? undefined : m.mine.get(i);
  if (!id) return "no hold to return";
  const s = m.session();
  m.release(s, id);
  m.mine.delete(i!);
  m.apply(s);
  return "idle release";
}

const seen = new Set<string>();

it.each([1, 2, 3, 4, 5, 6, 7, 8])("every invariant holds after every step of a random interleaving with holds (seed %i)", (seed) => {
  const r = rng(seed);
  const m = new Model(seed % 2 ? userWallet("u") : orgWallet("o"));
  for (let n = 0; n < 300; n++) {
    const what = step(m, r, n);
    seen.add(what);
    const bad = m.audit();
    if (bad.length) throw new Error(`${what} #${n}: ${bad.join("; ")}`);
  }
  // Quiescence: every hold expires and is swept; nothing is held, every credit is back or spent.
  m.now += TTL;
  const s = m.session("system:hold-sweep");
  for (const h of m.holds.values()) m.release(s, h.id);
  m.apply(s);
  expect(m.audit()).toEqual([]);
  expect([...m.holds.values()].filter((h) => h.state === "open")).toEqual([]);
  expect(m.debits.filter((d) => d.holdId).length).toBeGreaterThan(20);
});

// The walks did exercise every kind of step (not only the easy ones).
afterAll(() => expect([...seen].filter((s) => !s.startsWith("no") && !s.startsWith("keep") && s !== "nothing to refund").sort()).toEqual([
  "clawback with recall", "direct debit", "grant", "idle release", "instance died", "refund", "refund of a debit from a hold", "spend from hold", "time and sweep",
]));
