// The money audit understands escrow holds: a wallet whose creates spent from holds passes, and a
// credit that vanishes in a release, a hold overspent, a wrong balanceAfter in a hold or an open
// hold that does not add up are each named.
import { auditWallet, type AuditEntry, type AuditWallet } from "./checks";
import { economicSum } from "./holds";

const T0 = Date.UTC(2026, 10, 2); // a Monday: 2026-W45
const entry = (id: string, commitUs: number, e: Partial<AuditEntry>): AuditEntry => ({ id, type: "debit", amount: 0, createdAtMs: T0, commitUs, ...e });
const pack = (amount: number) => [{ grantId: "pack-1", amount }];

/**
 * A grant of 100; hold h1 takes 40, spends 10 + 10 (one commit), returns 20; hold h2 takes 30
 * and spends 5 (still open); r1 failed and was refunded from the grant it came from.
 */
function wallet(): AuditWallet {
  return {
    path: "orgs/o1", exists: true, credits: 60, debt: 0, grants: [{ id: "pack-1", remaining: 60 }],
    entries: [
      entry("pack-1", 1, { type: "grant", amount: 100, balanceAfter: 100, grantId: "pack-1", draws: [] }),
      entry("hold-h1", 2, { type: "hold", amount: -40, balanceAfter: 60, holdId: "h1", draws: pack(40) }),
      entry("debit-r1", 3, { amount: -10, balanceAfter: 30, requestId: "r1", holdId: "h1", draws: pack(10) }),
      entry("debit-r2", 3, { amount: -10, balanceAfter: 20, requestId: "r2", holdId: "h1", draws: pack(10) }),
      entry("release-h1", 4, { type: "release", amount: 20, balanceAfter: 80, holdId: "h1", draws: pack(20), forfeited: [] }),
      entry("hold-h2", 5, { type: "hold", amount: -30, balanceAfter: 50, holdId: "h2", draws: pack(30) }),
      entry("debit-r3", 6, { amount: -5, balanceAfter: 25, requestId: "r3", holdId: "h2", draws: pack(5) }),
      entry("refund-r1", 7, { type: "refund", amount: 10, balanceAfter: 60, requestId: "r1", draws: pack(10) }),
    ],
    grantDocs: [{ id: "pack-1", amount: 100, remaining: 60, drawn: 70, givenBack: 30, expired: 0 }],
    jobs: [
      { collection: "generationRequests", id: "r1", status: "failed", cost: 10, refunded: true, createdAtMs: T0 },
      { collection: "generationRequests", id: "r2", status: "succeeded", cost: 10, refunded: false, createdAtMs: T0 },
      { collection: "generationRequests", id: "r3", status: "queued", cost: 5, refunded: false, createdAtMs: T0 },
    ],
    usage: [{ week: "2026-W45", creditsDebited: 25, creditsRefunded: 10 }, { day: "2026-11-02", creditsDebited: 25, creditsRefunded: 10 }],
    holds: [
      { id: "h1", reserved: 40, spent: 20, unspent: 0, state: "closed", returned: 20, forfeited: 0 },
      { id: "h2", reserved: 30, spent: 5, unspent: 25, state: "open" },
    ],
  };
}

const with_ = (w: AuditWallet, id: string, e: Partial<AuditEntry>) => ({ ...w, entries: w.entries.map((x) => (x.id === id ? { ...x, ...e } : x)) });

describe("money audit: escrow holds", () => {
  it("pass a wallet that spent through holds (debits from holds move the hold, not the wallet)", () => {
    expect(auditWallet(wallet())).toEqual([]);
  });

  it("count conservation as credits + open holds' unspent == Σ gained and spent", () => {
    expect(economicSum(wallet().entries)).toBe(60 + 25);
  });

  it("name a release that returned less than the hold had left, and the conservation it breaks", () => {
    let w = with_(wallet(), "release-h1", { amount: 19, balanceAfter: 79, draws: pack(19) });
    w = with_(w, "hold-h2", { balanceAfter: 49 });
    w = with_(w, "refund-r1", { balanceAfter: 59 });
    w = { ...w, credits: 59, grants: [{ id: "pack-1", remaining: 59 }], grantDocs: [{ id: "pack-1", amount: 100, remaining: 59, drawn: 70, givenBack: 29, expired: 0 }] };
    expect(auditWallet(w)).toEqual([
      "orgs/o1: hold h1: release returned 19 + forfeited 0 != unspent 20 (a credit vanished or appeared)",
      "orgs/o1: conservation: credits 59 + open holds' unspent 25 != Σ gained and spent 85",
    ]);
  });

  it("accept a release whose expired grant's share was forfeited", () => {
    let w = with_(wallet(), "release-h1", { amount: 15, balanceAfter: 75, draws: pack(15), forfeited: pack(5) });
    w = with_(w, "hold-h2", { balanceAfter: 45 });
    w = with_(w, "refund-r1", { balanceAfter: 55 });
    w = { ...w, credits: 55, grants: [{ id: "pack-1", remaining: 55 }], grantDocs: [{ id: "pack-1", amount: 100, remaining: 55, drawn: 70, givenBack: 25, expired: 0 }] };
    expect(auditWallet(w)).toEqual([]);
  });

  it("name a hold overspent and a hold document that disagrees with its debits", () => {
    const w = wallet();
    w.entries.push(entry("debit-r4", 8, { amount: -30, balanceAfter: -5, requestId: "r4", holdId: "h2", draws: pack(30) }));
    w.jobs.push({ collection: "generationRequests", id: "r4", status: "queued", cost: 30, refunded: false, createdAtMs: T0 });
    w.usage = [{ week: "2026-W45", creditsDebited: 55, creditsRefunded: 10 }, { day: "2026-11-02", creditsDebited: 55, creditsRefunded: 10 }];
    expect(auditWallet(w)).toEqual(expect.arrayContaining([
      "orgs/o1: hold h2: document spent 5 != 35 from 2 debits that name it",
      "orgs/o1: hold h2: 35 spent from 30 held (overspent)",
    ]));
  });

  it("name a debit from a hold whose balanceAfter is not what the hold had left", () => {
    expect(auditWallet(with_(wallet(), "debit-r3", { balanceAfter: 55 }))).toEqual(["orgs/o1: hold h2: debit debit-r3 balanceAfter 55 != 30 left in the hold + -5"]);
  });

  it("name a hold released twice, and one with entries but no document", () => {
    const w = wallet();
    w.entries.push(entry("release-h1b", 9, { type: "release", amount: 0, balanceAfter: 60, holdId: "h1", draws: [] }));
    w.holds = w.holds!.filter((h) => h.id !== "h2");
    expect(auditWallet(w)).toEqual(expect.arrayContaining([
      "orgs/o1: hold h1: closed with 2 release entries, expected 1",
      "orgs/o1: hold h2: entries [hold-h2, debit-r3] name it, but it has no document",
    ]));
  });
});
