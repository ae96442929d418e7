// Property test of the allocation without Firestore: random interleavings of grants (expiring or
// not), debits, refunds, expiries (time passing), plans ended early, clawbacks and adjustments
// through the same WalletSession the writers use, written by the real writeSession into a batch
// that applies its writes as a commit would (grant counters by their increments). Every
// invariant of issue 16, and balanceAfter as the running sum, holds after every step.
import { Firestore } from "firebase-admin/firestore";
import { CommittedBatch } from "./committedBatch";
import { rng } from "../../../test-support/rng";
import type { GrantInfo } from "../../src/ledger/grants/allocate";
import { WalletSession } from "../../src/ledger/grants/session";
import { creditsOf, type Draw, type Wallet } from "../../src/ledger/grants/wallet";
import { writeSession } from "../../src/ledger/grants/write";
import { orgWallet, userWallet, walletPath, type WalletRef } from "../../src/ledger/walletRef";
import { violations, type Entry, type GrantDoc } from "./invariants";

const DAY = 86_400_000;
// Odd seeds walk a user's wallet, even ones an organisation's: one implementation, one set of invariants.
const WALLETS = [userWallet("u"), orgWallet("o")];
// Only builds document references (no connection is made).
const refs = new Firestore({ projectId: "demo-unit" });

class Model {
  wallet: Wallet = { grants: [], debt: 0, creditLimit: 0, debtBlocks: false, frozen: false, legacy: null };
  batch = new CommittedBatch();
  debits: { id: string; draws: Draw[]; refunded: boolean }[] = [];
  now = Date.parse("2026-01-31T00:00:00Z");
  constructor(readonly owner: WalletRef = WALLETS[0]) {}

  session() { return new WalletSession(this.wallet, this.now); }

  apply(s: WalletSession) {
    writeSession(refs, this.batch, this.owner, s, new Date(this.now));
    this.wallet = s.wallet;
  }

  get entries(): Entry[] { return this.batch.under(`${walletPath(this.owner)}/ledger/`) as unknown as Entry[]; }
  get grants(): (GrantDoc & { source: GrantInfo["source"]; expiresAt: Date | null; createdAt: Date })[] { return this.batch.under(`${walletPath(this.owner)}/grants/`) as never; }

  grantInfo(): Map<string, GrantInfo> {
    return new Map(this.grants.map((g) => [g.id, { source: g.source, expiresAtMs: g.expiresAt?.getTime() ?? null, createdAtMs: g.createdAt.getTime() }]));
  }

  check(step: string) {
    const view = { ...this.wallet, credits: creditsOf(this.wallet) };
    const bad = violations(view, this.entries, this.grants);
    // Entries are written in the order their commits happened: each balanceAfter follows from the one before.
    let balance = 0;
    for (const e of this.entries) {
      balance += e.amount;
      if (e.balanceAfter !== balance) bad.push(`entry ${e.id}: balanceAfter ${e.balanceAfter} != running sum ${balance}`);
    }
    if (bad.length) throw new Error(`${step}: ${bad.join("; ")}`);
  }
}

function step(m: Model, r: () => number, n: number): string {
  const pick = Math.floor(r() * 9);
  const s = m.session();
  if (pick === 0) {
    const amount = 1 + Math.floor(r() * 20);
    const expires = r() < 0.6 ? m.now + Math.floor(r() * 40) * DAY : null;
    s.grant({ id: `g${n}`, source: (["plan", "pack", "promo", "admin"] as const)[Math.floor(r() * 4)], amount, expiresAtMs: expires, origin: {} }, { reason: "t", actor: "t" });
  } else if (pick <= 2) {
    const plan = s.debit(`debit-${n}`, 1 + Math.floor(r() * 6), { reason: "t", actor: "t" });
    if (plan.ok) m.debits.push({ id: `${n}`, draws: plan.draws, refunded: false });
  } else if (pick === 3) {
    const open = m.debits.filter((d) => !d.refunded);
    const d = open[Math.floor(r() * open.length)];
    if (d) {
      d.refunded = true;
      s.refund(`refund-${d.id}`, d.draws, m.grantInfo(), { reason: "t", actor: "t" });
    }
  } else if (pick === 4) {
    m.now += Math.floor(r() * 10) * DAY;
    m.apply(m.session());
    return "time";
  } else if (pick === 5) {
    const ids = m.grants.map((g) => g.id);
    const id = ids[Math.floor(r() * ids.length)];
    if (id) s.clawback(`clawback-${n}`, id, 1 + Math.floor(r() * 15), { reason: "t", actor: "t" });
  } else if (pick === 6) {
    // Raising a limit only: lowering one below a debt already run up is a business decision, not a debit.
    m.wallet = { ...m.wallet, creditLimit: m.wallet.creditLimit + 5 };
  } else if (pick === 8) {
    // A plan replaced mid-period: its grants end now (what remains expires; their documents get the new expiry).
    s.endGrants((g) => g.source === "plan", "t");
  } else {
    s.debit(`adjust-${n}`, 1 + Math.floor(r() * 3), { type: "adjustment", reason: "t", actor: "t" }, { allowDebt: false });
  }
  m.apply(s);
  return ["grant", "debit", "debit", "refund", "time", "clawback", "limit", "adjust", "end plan"][pick];
}

it.each([1, 2, 3, 4, 5, 6, 7, 8])("every invariant holds after every step of a random interleaving (seed %i)", (seed) => {
  const r = rng(seed);
  const m = new Model(WALLETS[seed % 2]);
  for (let n = 0; n < 400; n++) m.check(`${step(m, r, n)} #${n}`);
  expect(m.entries.length).toBeGreaterThan(100);
  for (const e of m.entries) seen.add(e.type);
});

// The walks did exercise every kind of movement (not only the easy ones).
const seen = new Set<string>();
afterAll(() => expect([...seen].sort()).toEqual(["adjustment", "clawback", "debit", "expire", "grant", "refund"]));

it("a second session over the same state writes no second expire entry", () => {
  const m = new Model();
  const s = m.session();
  s.grant({ id: "g", source: "plan", amount: 5, expiresAtMs: m.now + DAY, origin: {} }, { reason: "t", actor: "t" });
  m.apply(s);
  m.now += 2 * DAY;
  const first = m.session();
  expect(first.entries.map((e) => e.id)).toEqual(["expire-g"]);
  m.apply(first);
  expect(m.session().entries).toEqual([]);
  m.check("after expiry");
});
