// The money audit's checks have teeth: a consistent wallet passes, and each broken rule is named
// with the wallet and the entry or job.
import { auditWallet, type AuditEntry, type AuditWallet } from "./checks";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 2); // a Monday: 2026-W45
const entry = (id: string, commitUs: number, e: Partial<AuditEntry>): AuditEntry => ({ id, type: "debit", amount: 0, createdAtMs: T0, commitUs, ...e });

/** A pack grant of 10, a paid job that failed and was refunded, a paid job that succeeded. */
function wallet(): AuditWallet {
  return {
    path: "users/u1", exists: true, credits: 8, debt: 0, grants: [{ id: "pack-1", remaining: 8 }],
    entries: [
      entry("pack-1", 1, { type: "grant", amount: 10, balanceAfter: 10, grantId: "pack-1", draws: [] }),
      entry("debit-r1", 2, { amount: -2, balanceAfter: 8, requestId: "r1", draws: [{ grantId: "pack-1", amount: 2 }] }),
      entry("refund-r1", 3, { type: "refund", amount: 2, balanceAfter: 10, requestId: "r1", draws: [{ grantId: "pack-1", amount: 2 }], createdAtMs: T0 + 8 * DAY }),
      entry("debit-r2", 4, { amount: -2, balanceAfter: 8, requestId: "r2", draws: [{ grantId: "pack-1", amount: 2 }] }),
    ],
    grantDocs: [{ id: "pack-1", amount: 10, remaining: 8, drawn: 4, givenBack: 2, expired: 0 }],
    jobs: [
      { collection: "generationRequests", id: "r1", status: "failed", cost: 2, refunded: true, createdAtMs: T0 },
      { collection: "generationRequests", id: "r2", status: "succeeded", cost: 2, refunded: false, createdAtMs: T0 },
    ],
    usage: [{ week: "2026-W45", creditsDebited: 4, creditsRefunded: 2 }, { day: "2026-11-02", creditsDebited: 4, creditsRefunded: 2 }],
  };
}

describe("money audit checks", () => {
  it("pass a consistent wallet (a refund counts in the week its job was created)", () => {
    expect(auditWallet(wallet())).toEqual([]);
  });

  it("name a job marked refunded whose refund entry is missing", () => {
    const w = wallet();
    w.entries = w.entries.filter((e) => e.id !== "refund-r1").map((e) => (e.id === "debit-r2" ? { ...e, balanceAfter: 6 } : e));
    w.credits = 6;
    w.grants = [{ id: "pack-1", remaining: 6 }];
    w.grantDocs = [{ id: "pack-1", amount: 10, remaining: 6, drawn: 4, givenBack: 0, expired: 0 }];
    w.usage = [{ week: "2026-W45", creditsDebited: 4, creditsRefunded: 0 }, { day: "2026-11-02", creditsDebited: 4, creditsRefunded: 0 }];
    expect(auditWallet(w)).toEqual(["users/u1: job generationRequests/r1 (failed, cost 2, refunded true): 0 refund entries [], expected 1"]);
  });

  it("name an entry whose balanceAfter is not the running sum", () => {
    const w = wallet();
    w.entries[3] = { ...w.entries[3], balanceAfter: 10 };
    expect(auditWallet(w)).toEqual(["users/u1: entry debit-r2 (debit -2): balanceAfter 10 != running sum 10 + -2 = 8"]);
  });

  it("accept entries of one commit in whichever order chains their balances", () => {
    const w = wallet();
    w.entries[3] = { ...w.entries[3], commitUs: 3 };
    expect(auditWallet(w)).toEqual([]);
  });

  it("count a grant's remaining from the ledger, not from its document", () => {
    const w = wallet();
    w.grantDocs = [{ id: "pack-1", amount: 10, remaining: 8, drawn: 2, givenBack: 0, expired: 0 }];
    expect(auditWallet(w)).toEqual([
      "users/u1: grant pack-1: document drawn 2 != 4 counted from the ledger (amount 10 − drawn 4 + givenBack 2 − expired 0)",
      "users/u1: grant pack-1: document givenBack 0 != 2 counted from the ledger (amount 10 − drawn 4 + givenBack 2 − expired 0)",
    ]);
  });

  it("name a second debit, a refund of a succeeded job and an entry of no job", () => {
    const w = wallet();
    w.entries.push(entry("refund-r2", 5, { type: "refund", amount: 2, balanceAfter: 10, requestId: "r2", draws: [{ grantId: "pack-1", amount: 2 }] }));
    w.entries.push(entry("debit-x", 6, { amount: -2, balanceAfter: 8, requestId: "r2", draws: [{ grantId: "pack-1", amount: 2 }] }));
    w.entries.push(entry("debit-ghost", 7, { amount: 0, balanceAfter: 8, requestId: "ghost" }));
    expect(auditWallet(w)).toEqual(expect.arrayContaining([
      "users/u1: job generationRequests/r2 (succeeded, cost 2, refunded false): 2 debit entries [debit-r2, debit-x], expected 1",
      "users/u1: job generationRequests/r2 (succeeded, cost 2, refunded false): 1 refund entries [refund-r2], expected 0",
      "users/u1: entries [debit-ghost] name job ghost, which does not exist",
    ]));
  });

  it("compare the weekly counters with the ledger", () => {
    const w = wallet();
    w.usage = [{ week: "2026-W45", creditsDebited: 4, creditsRefunded: 0 }, { week: "2026-W46", creditsDebited: 0, creditsRefunded: 2 }, { day: "2026-11-02", creditsDebited: 4, creditsRefunded: 2 }];
    expect(auditWallet(w)).toEqual([
      "users/u1: usageWeekly 2026-W45: creditsRefunded 0 != 2 from 1 refund entries",
      "users/u1: usageWeekly 2026-W46: creditsRefunded 2 != 0 from 0 refund entries",
    ]);
  });

  it("compare the daily counters (getUsage's) with the ledger: a refund counts on its job's creation day", () => {
    const w = wallet();
    w.usage = [{ week: "2026-W45", creditsDebited: 4, creditsRefunded: 2 }, { day: "2026-11-02", creditsDebited: 3, creditsRefunded: 0 }, { day: "2026-11-10", creditsDebited: 0, creditsRefunded: 2 }];
    expect(auditWallet(w)).toEqual([
      "users/u1: usageDaily 2026-11-02: creditsDebited 3 != 4 from 2 debit entries",
      "users/u1: usageDaily 2026-11-02: creditsRefunded 0 != 2 from 1 refund entries",
      "users/u1: usageDaily 2026-11-10: creditsRefunded 2 != 0 from 0 refund entries",
    ]);
  });

  it("name Σ live remaining − debt that disagrees with credits", () => {
    const w = wallet();
    w.debt = 1;
    expect(auditWallet(w)).toEqual(["users/u1: credits 8 != Σ live grant remaining 8 − debt 1"]);
  });
});
