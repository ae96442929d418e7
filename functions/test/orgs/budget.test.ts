// The budget arithmetic and the role table, without Firestore.
import { budgetState, crossed, fits, givenBack, periodOf } from "../../src/orgs/budget";
import { leavesNoOwner, mayAssign, mayDo } from "../../src/orgs/roles";
import { planCommit, memberPrincipal, type PrincipalState } from "../../src/requests/commitPlan";

const at = (iso: string) => Date.parse(iso);

describe("budget periods", () => {
  it("cuts days and months at midnight in the organisation's time zone", () => {
    expect(periodOf("day", at("2026-12-07T23:30:00Z"), "UTC")).toEqual({ key: "2026-12-07", resetsAtMs: at("2026-12-08T00:00:00Z") });
    // 23:30 UTC is already the 8th in Berlin (UTC+1), whose day ends at 23:00 UTC.
    expect(periodOf("day", at("2026-12-07T23:30:00Z"), "Europe/Berlin")).toEqual({ key: "2026-12-08", resetsAtMs: at("2026-12-08T23:00:00Z") });
    expect(periodOf("month", at("2026-12-31T12:00:00Z"), "UTC")).toEqual({ key: "2026-12", resetsAtMs: at("2027-01-01T00:00:00Z") });
    expect(periodOf("month", at("2026-03-31T23:30:00Z"), "America/New_York").key).toBe("2026-03");
  });

  it("forgets the spend of an earlier period and gives refunds back only within the period", () => {
    const budget = { period: "day" as const, credits: 20 };
    expect(budgetState(budget, { key: "2026-12-06", used: 20 }, at("2026-12-07T10:00:00Z"), "UTC")?.used).toBe(0);
    const s = budgetState(budget, { key: "2026-12-07", used: 19 }, at("2026-12-07T10:00:00Z"), "UTC")!;
    expect([fits(s, 1), fits(s, 2)]).toEqual([true, false]);
    expect(givenBack({ key: "2026-12-07", used: 5 }, "2026-12-07", 2)).toEqual({ key: "2026-12-07", used: 3 });
    expect(givenBack({ key: "2026-12-08", used: 5 }, "2026-12-07", 2)).toBeNull();
    expect(budgetState(null, { key: "2026-12-07", used: 5 }, 0, "UTC")).toBeNull();
  });

  it("reports each threshold once, when the spend first reaches it", () => {
    const s = (used: number) => ({ budget: { period: "day" as const, credits: 10 }, key: "k", used, resetsAtMs: 0 });
    expect(crossed(s(0), 5)).toEqual([50]);
    expect(crossed(s(4), 6)).toEqual([50, 80, 100]);
    expect(crossed(s(5), 1)).toEqual([]);
    expect(crossed(s(9), 1)).toEqual([100]);
  });
});

describe("the commit plan with budgets", () => {
  const principal: PrincipalState = { usage: {}, limits: { perMinute: 1000, dailyQuota: null, countDaily: false }, refusal: null };
  it("refuses with BUDGET_EXCEEDED the item that would pass the limit, counts the others, and records each charge", () => {
    const budgets = new Map([[memberPrincipal("m"), { budget: { period: "day" as const, credits: 3 }, key: "2026-12-07", used: 1, resetsAtMs: at("2026-12-08T00:00:00Z") }]]);
    const items = [1, 1, 1].map((cost, i) => ({ requestId: `r${i}`, userId: "m", cost, numImages: 1, fingerprint: "f", principal: memberPrincipal("m"), budgets: [memberPrincipal("m")] }));
    const plan = planCommit({ nowMs: at("2026-12-07T10:00:00Z"), balance: 100, principals: new Map([[memberPrincipal("m"), principal]]), stored: new Map(), items, budgets });
    expect(plan.outcomes.map((o) => o.kind)).toEqual(["created", "created", "refused"]);
    const refused = plan.outcomes[2];
    expect(refused.kind === "refused" && refused.error.code).toBe("BUDGET_EXCEEDED");
    expect(refused.kind === "refused" && refused.error.details).toEqual({ limit: 3, used: 3, period: "day", resetsAt: "2026-12-08T00:00:00.000Z" });
    expect(plan.budgets.get(memberPrincipal("m"))?.used).toBe(3);
    expect(plan.budgetCharges.get("r1")).toEqual([{ budget: memberPrincipal("m"), key: "2026-12-07", amount: 1 }]);
    expect(plan.crossings.get(memberPrincipal("m"))).toEqual([50, 80, 100]);
    expect(plan.balance).toBe(98);
  });
});

describe("organisation roles", () => {
  it("gives each role its powers and keeps owners to owners", () => {
    expect(["owner", "admin", "billing", "member"].map((r) => mayDo(r as never, "budgets"))).toEqual([true, true, false, false]);
    expect(["owner", "admin", "billing", "member"].map((r) => mayDo(r as never, "billing"))).toEqual([true, false, true, false]);
    expect(mayAssign("admin", "member", "billing")).toBe(true);
    expect(mayAssign("admin", "owner", "member")).toBe(false);
    expect(mayAssign("admin", null, "owner")).toBe(false);
    expect(mayAssign("owner", "owner", "member")).toBe(true);
    expect(mayAssign("member", "member", null)).toBe(false);
    expect(leavesNoOwner(1, "owner", "admin")).toBe(true);
    expect(leavesNoOwner(2, "owner", null)).toBe(false);
    expect(leavesNoOwner(1, "member", null)).toBe(false);
  });
});
