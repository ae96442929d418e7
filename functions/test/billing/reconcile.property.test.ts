// Property test of a payment's reconciliation without Firestore: for random sets of Stripe facts
// about one payment (the grant, cumulative refunds, a dispute that opens and maybe closes), every
// order of delivery, with duplicates, ends in the same place: the same credits taken back, the
// same paused creates, no ledger entry written twice, every amount positive.
import { rng } from "../../../test-support/rng";
import { reconcile, refundShare, type Action, type DisputeStatus, type Fact, type PaymentState } from "../../src/billing/stripe/reconcile";

interface Outcome { taken: number; frozen: string[]; entries: Map<string, number> }

function deliver(facts: Fact[]): Outcome {
  let state: PaymentState = {};
  const entries = new Map<string, number>();
  const frozen = new Set<string>();
  for (const f of facts) {
    const r = reconcile(state, f);
    state = r.state;
    for (const a of r.actions) record(a, entries, frozen);
  }
  const taken = -[...entries.values()].reduce((s, v) => s + v, 0) || 0;
  return { taken, frozen: [...frozen].sort(), entries };
}

function record(a: Action, entries: Map<string, number>, frozen: Set<string>) {
  if (a.kind === "freeze") return void frozen.add(a.disputeId);
  if (a.kind === "unfreeze") return void frozen.delete(a.disputeId);
  if (entries.has(a.entryId)) throw new Error(`entry ${a.entryId} written twice`);
  if (!(a.amount > 0)) throw new Error(`entry ${a.entryId} moves ${a.amount}`);
  entries.set(a.entryId, a.kind === "clawback" ? -a.amount : a.amount);
}

/** What the facts call for, whatever the order: an open or lost dispute takes the whole grant, otherwise the highest refund's share. */
function expected(credits: number, amount: number, refunds: number[], dispute: DisputeStatus | null) {
  const share = refunds.length ? refundShare(credits, Math.max(...refunds), amount) : 0;
  return { taken: dispute === "open" || dispute === "lost" ? credits : share, frozen: dispute === "open" ? ["dp_1"] : [] };
}

const shuffle = <T>(xs: T[], rand: () => number) => {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
};

it("every delivery order of a payment's events, with duplicates, takes back the same credits and pauses the same creates", () => {
  const rand = rng(20261207);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const seen = { orders: 0, disputeBeforeGrant: 0, closedBeforeOpened: 0, refundAfterDispute: 0 };
  for (let scenario = 0; scenario < 400; scenario++) {
    const credits = int(1, 500);
    const amount = int(100, 10_000);
    const refunds = Array.from({ length: int(0, 3) }, () => int(1, amount)).sort((a, b) => a - b);
    const dispute = ([null, "open", "won", "lost"] as const)[int(0, 3)];
    const facts: Fact[] = [
      { kind: "grant", uid: "u", grantId: "pack-cs", credits },
      ...refunds.map((r): Fact => ({ kind: "refund", chargeId: "ch_1", amount, amountRefunded: r })),
      ...(dispute ? [{ kind: "dispute", disputeId: "dp_1", status: "open" } as Fact] : []),
      ...(dispute && dispute !== "open" ? [{ kind: "dispute", disputeId: "dp_1", status: dispute } as Fact] : []),
    ];
    const want = expected(credits, amount, refunds, dispute);
    for (let k = 0; k < 12; k++) {
      const order = shuffle([...facts, ...facts.filter(() => rand() < 0.3)], rand);
      const got = deliver(order);
      expect({ taken: got.taken, frozen: got.frozen }).toEqual(want);
      seen.orders++;
      const at = (p: (f: Fact) => boolean) => order.findIndex(p);
      if (dispute && at((f) => f.kind === "dispute") < at((f) => f.kind === "grant")) seen.disputeBeforeGrant++;
      if (dispute && dispute !== "open" && at((f) => f.kind === "dispute" && f.status !== "open") < at((f) => f.kind === "dispute" && f.status === "open")) seen.closedBeforeOpened++;
      if (dispute && refunds.length && at((f) => f.kind === "refund") > at((f) => f.kind === "dispute")) seen.refundAfterDispute++;
    }
  }
  // The orders that used to go wrong were all drawn, many times over.
  expect(Math.min(seen.disputeBeforeGrant, seen.closedBeforeOpened, seen.refundAfterDispute)).toBeGreaterThan(100);
});

describe("one payment, told out of order", () => {
  const grant: Fact = { kind: "grant", uid: "u", grantId: "pack-cs", credits: 100 };
  const open: Fact = { kind: "dispute", disputeId: "dp_1", status: "open" };

  it("a dispute before its grant is applied by the grant: claws back and pauses creates", () => {
    const got = deliver([open, grant]);
    expect(got).toMatchObject({ taken: 100, frozen: ["dp_1"] });
    expect([...got.entries]).toEqual([["dispute-dp_1", -100]]);
  });

  it("a won dispute whose close arrives before its opening takes nothing and pauses nothing", () => {
    const got = deliver([grant, { kind: "dispute", disputeId: "dp_1", status: "won" }, open]);
    expect(got).toMatchObject({ taken: 0, frozen: [] });
    expect(got.entries.size).toBe(0);
  });

  it("a refund of 1000 arriving before the one of 500 still takes the whole grant, once", () => {
    const got = deliver([grant, { kind: "refund", chargeId: "ch", amount: 1000, amountRefunded: 1000 }, { kind: "refund", chargeId: "ch", amount: 1000, amountRefunded: 500 }]);
    expect([...got.entries]).toEqual([["clawback-ch-1000", -100]]);
  });

  it("a partial refund delivered after the dispute it preceded moves the share from the dispute to the refund; won, the rest comes back", () => {
    const refund: Fact = { kind: "refund", chargeId: "ch", amount: 1000, amountRefunded: 300 };
    const got = deliver([grant, open, refund, { kind: "dispute", disputeId: "dp_1", status: "won" }]);
    expect([...got.entries]).toEqual([["dispute-dp_1", -100], ["reinstate-dp_1", 70]]);
    expect(got).toMatchObject({ taken: 30, frozen: [] });
  });
});
