import { ApiError } from "../../src/http/errors";
import { isLiveKey, keyCapsOf, ownKeyLimits, DEFAULT_MAX_KEYS } from "../../src/auth/ownKeyLimits";

const caps = { ratePerMinute: 30, dailyQuota: 500, maxKeys: 2 };
const none = { ratePerMinute: null, dailyQuota: null, maxConcurrentCreates: null };
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof ApiError ? [e.code, e.message] : ["not an ApiError", String(e)];
  }
  return null;
};

describe("keyCapsOf", () => {
  it("takes the plan's keyLimits, never above the plan's own rate; without them: the plan's rate, no quota cap, 5 keys", () => {
    expect(keyCapsOf({ ratePerMinute: 60, keyLimits: { ratePerMinute: 20, dailyQuota: 100, maxKeys: 3 } })).toEqual({ ratePerMinute: 20, dailyQuota: 100, maxKeys: 3 });
    expect(keyCapsOf({ ratePerMinute: 10, keyLimits: { ratePerMinute: 99 } })).toEqual({ ratePerMinute: 10, dailyQuota: null, maxKeys: DEFAULT_MAX_KEYS });
    expect(keyCapsOf({ ratePerMinute: 10 })).toEqual({ ratePerMinute: 10, dailyQuota: null, maxKeys: DEFAULT_MAX_KEYS });
  });
});

describe("ownKeyLimits", () => {
  it("gives a key asked for without limits the plan's caps, and keeps limits within them", () => {
    expect(ownKeyLimits(none, caps, 0, "creator", 4)).toEqual({ ratePerMinute: 30, dailyQuota: 500, maxConcurrentCreates: null });
    expect(ownKeyLimits({ ratePerMinute: 5, dailyQuota: 500, maxConcurrentCreates: 4 }, caps, 1, "creator", 4)).toEqual({ ratePerMinute: 5, dailyQuota: 500, maxConcurrentCreates: 4 });
  });

  it("refuses limits over a cap with the field and the cap, and a key beyond the plan's count", () => {
    expect(refusal(() => ownKeyLimits({ ...none, ratePerMinute: 31 }, caps, 0, "creator", 4))).toEqual(["INVALID_ARGUMENT", "ratePerMinute: at most 30 on the creator plan"]);
    expect(refusal(() => ownKeyLimits({ ...none, dailyQuota: 501 }, caps, 0, "creator", 4))).toEqual(["INVALID_ARGUMENT", "dailyQuota: at most 500 on the creator plan"]);
    expect(refusal(() => ownKeyLimits({ ...none, maxConcurrentCreates: 5 }, caps, 0, "creator", 4))).toEqual(["INVALID_ARGUMENT", "maxConcurrentCreates: at most 4 on the creator plan"]);
    expect(refusal(() => ownKeyLimits(none, caps, 2, "creator", 4))?.[0]).toBe("FAILED_PRECONDITION");
    expect(refusal(() => ownKeyLimits({ ...none, dailyQuota: 10_000 }, { ...caps, dailyQuota: null }, 0, "pro", 4))).toBeNull();
  });

  it("counts a key as live until it is revoked or expires", () => {
    const now = new Date("2026-12-01T00:00:00Z");
    expect(isLiveKey({ revokedAt: null, expiresAt: null }, now)).toBe(true);
    expect(isLiveKey({ revokedAt: null, expiresAt: new Date("2026-12-02T00:00:00Z") }, now)).toBe(true);
    expect(isLiveKey({ revokedAt: null, expiresAt: now }, now)).toBe(false);
    expect(isLiveKey({ revokedAt: new Date("2026-11-01T00:00:00Z"), expiresAt: null }, now)).toBe(false);
  });
});
