// The group commit's money rules, without Firestore: one commit of n items answers exactly what n
// creates run one after another would have answered.
import { rng } from "../../../test-support/rng";
import { ApiError } from "../../src/http/errors";
import { keyPrincipal, planCommit, USER_PRINCIPAL, type PlanInput, type PlanItem, type PrincipalState, type StoredRequest } from "../../src/requests/commitPlan";

const NOW = Date.parse("2026-11-23T12:00:00Z");
const userLimits = { perMinute: 100, dailyQuota: null, countDaily: false };
const principals = (extra: [string, PrincipalState][] = []) => new Map<string, PrincipalState>([[USER_PRINCIPAL, { usage: {}, limits: userLimits, refusal: null }], ...extra]);
const item = (n: number, over: Partial<PlanItem> = {}): PlanItem => ({ requestId: `r${n}`, userId: "u1", cost: 1, numImages: 1, fingerprint: `f${n}`, principal: USER_PRINCIPAL, ...over });
const input = (over: Partial<PlanInput>): PlanInput => ({ nowMs: NOW, balance: 10, principals: principals(), stored: new Map(), items: [], ...over });
const codes = (plan: ReturnType<typeof planCommit>) => plan.outcomes.map((o) => (o.kind === "refused" ? o.error.code : o.kind));

describe("planCommit", () => {
  it("funds running out mid-commit: exactly the affordable prefix, in arrival order, is charged", () => {
    const plan = planCommit(input({ balance: 5, items: Array.from({ length: 8 }, (_, i) => item(i)) }));
    expect(codes(plan)).toEqual(["created", "created", "created", "created", "created", "INSUFFICIENT_CREDITS", "INSUFFICIENT_CREDITS", "INSUFFICIENT_CREDITS"]);
    expect(plan.outcomes.slice(0, 5).map((o) => o.kind === "created" && o.result.currentCredits)).toEqual([4, 3, 2, 1, 0]);
    expect(plan.balance).toBe(0);
    expect(plan.totals).toEqual({ requests: 5, images: 5, credits: 5 });
    // Refusals for funds leave the window where the admitted items put it.
    expect(plan.usage.get(USER_PRINCIPAL)).toEqual({ createWindow: { startMs: NOW, count: 5 } });
  });

  it("a later, cheaper item still fits where an earlier one did not, as one at a time would", () => {
    const plan = planCommit(input({ balance: 3, items: [item(1, { cost: 2 }), item(2, { cost: 2 }), item(3, { cost: 1 })] }));
    expect(codes(plan)).toEqual(["created", "INSUFFICIENT_CREDITS", "created"]);
    const refused = plan.outcomes[1];
    expect(refused.kind === "refused" && refused.error.details).toEqual({ required: 2, available: 1 });
  });

  it("a repeated idempotency key in one commit is a replay of the first item; with other parameters a 409", () => {
    const plan = planCommit(input({ balance: 10, items: [item(1), item(1), item(1, { fingerprint: "other" })] }));
    expect(codes(plan)).toEqual(["created", "replayed", "FAILED_PRECONDITION"]);
    expect(plan.outcomes[1]).toEqual({ kind: "replayed", result: { generationRequestId: "r1", deductedCredits: 1, currentCredits: 9, status: "queued", replayed: true } });
    expect(plan.totals.credits).toBe(1);
  });

  it("replays a stored request before any other check: a revoked key, a full window or no funds do not refuse it", () => {
    const stored = new Map<string, StoredRequest>([["r1", { userId: "u1", paramsHash: "f1", cost: 2, balanceAfterDebit: 7, status: "running" }]]);
    const revoked = new ApiError("API_KEY_REVOKED", "revoked");
    const plan = planCommit(input({
      balance: 0, stored,
      principals: principals([[keyPrincipal("k"), { usage: {}, limits: { perMinute: 0, dailyQuota: null, countDaily: true }, refusal: revoked }]]),
      items: [item(1, { principal: keyPrincipal("k") })],
    }));
    expect(plan.outcomes).toEqual([{ kind: "replayed", result: { generationRequestId: "r1", deductedCredits: 2, currentCredits: 7, status: "running", replayed: true } }]);
    expect(plan.usage.size).toBe(0);
    expect(plan.totals.requests).toBe(0);
  });

  it("refuses a revoked key's items and only those; counts each principal on its own", () => {
    const revoked = new ApiError("API_KEY_REVOKED", "revoked");
    const keyLimits = { perMinute: 2, dailyQuota: null, countDaily: true };
    const plan = planCommit(input({
      principals: principals([[keyPrincipal("dead"), { usage: {}, limits: keyLimits, refusal: revoked }], [keyPrincipal("live"), { usage: {}, limits: keyLimits, refusal: null }]]),
      items: [item(1, { principal: keyPrincipal("dead") }), item(2, { principal: keyPrincipal("live") }), item(3), item(4, { principal: keyPrincipal("live") }), item(5, { principal: keyPrincipal("live") })],
    }));
    expect(codes(plan)).toEqual(["API_KEY_REVOKED", "created", "created", "created", "RATE_LIMITED"]);
    expect(plan.usage.get(keyPrincipal("live"))).toEqual({ createWindow: { startMs: NOW, count: 2 }, dailyUsage: { day: "2026-11-23", count: 2 } });
    expect(plan.usage.get(USER_PRINCIPAL)).toEqual({ createWindow: { startMs: NOW, count: 1 } });
    expect(plan.usage.has(keyPrincipal("dead"))).toBe(false);
  });

  it("a daily quota used up mid-commit refuses the rest with QUOTA_EXCEEDED", () => {
    const limits = { perMinute: 100, dailyQuota: 3, countDaily: true };
    const usage = { dailyUsage: { day: "2026-11-23", count: 1 } };
    const plan = planCommit(input({ principals: principals([[keyPrincipal("k"), { usage, limits, refusal: null }]]), items: [1, 2, 3].map((n) => item(n, { principal: keyPrincipal("k") })) }));
    expect(codes(plan)).toEqual(["created", "created", "QUOTA_EXCEEDED"]);
  });

  it.each([1, 2, 3, 4, 5])("answers exactly what one-at-a-time commits answer (random workload, seed %i)", (seed) => {
    const rand = rng(seed);
    const keyLimits = { perMinute: 6, dailyQuota: 9, countDaily: true };
    const start: PlanInput = input({
      balance: 5 + Math.floor(rand() * 30),
      principals: principals([[keyPrincipal("a"), { usage: {}, limits: keyLimits, refusal: null }], [keyPrincipal("b"), { usage: {}, limits: keyLimits, refusal: new ApiError("API_KEY_EXPIRED", "x") }]]),
      stored: new Map([["r0", { userId: "u1", paramsHash: "f0", cost: 3, balanceAfterDebit: 1, status: "succeeded" }]]),
      items: Array.from({ length: 40 }, () => {
        const n = Math.floor(rand() * 25);
        return item(n, { cost: 1 + Math.floor(rand() * 4), fingerprint: rand() < 0.9 ? `f${n}` : "changed", principal: [USER_PRINCIPAL, keyPrincipal("a"), keyPrincipal("b")][Math.floor(rand() * 3)] });
      }),
    });
    // Items with the same id must agree on their cost to be replays: give each id one cost.
    const costOf = new Map<string, number>();
    const items = start.items.map((i) => ({ ...i, cost: costOf.get(i.requestId) ?? (costOf.set(i.requestId, i.cost), i.cost) }));
    const grouped = planCommit({ ...start, items });

    let state = { balance: start.balance, principals: new Map(start.principals), stored: new Map(start.stored) };
    const oneByOne = items.map((it) => {
      const p = planCommit({ ...start, ...state, items: [it] });
      for (const [k, usage] of p.usage) state.principals.set(k, { ...state.principals.get(k)!, usage });
      const o = p.outcomes[0];
      if (o.kind === "created") state.stored.set(it.requestId, { userId: it.userId, paramsHash: it.fingerprint, cost: it.cost, balanceAfterDebit: o.result.currentCredits, status: "queued" });
      state = { ...state, balance: p.balance };
      return o;
    });
    expect(codes(grouped)).toEqual(expect.arrayContaining(["created", "replayed", "API_KEY_EXPIRED", "INSUFFICIENT_CREDITS", "FAILED_PRECONDITION"]));
    expect(grouped.outcomes).toEqual(oneByOne);
    expect(grouped.balance).toBe(state.balance);
    expect(grouped.balance).toBeGreaterThanOrEqual(0);
    expect(start.balance - grouped.totals.credits).toBe(grouped.balance);
  });
});
