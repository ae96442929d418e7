import { hashApiKey, hashMatches, keyRefusal, lastUsedIsStale, newApiKey, parseApiKey } from "../../src/auth/apiKeys";

describe("API key format", () => {
  it("issues sk_<env>_<keyId>_<secret> keys that parse back to their id, unique each time", () => {
    const a = newApiKey("test");
    const b = newApiKey("live");
    expect(a.plain).toMatch(/^sk_test_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(b.plain.startsWith(`sk_live_${b.keyId}_`)).toBe(true);
    expect(a.prefix).toBe(`sk_test_${a.keyId}`);
    expect(parseApiKey(a.plain)).toEqual({ env: "test", keyId: a.keyId, plain: a.plain });
    expect(new Set(Array.from({ length: 200 }, () => newApiKey("test").plain)).size).toBe(200);
  });

  it.each([
    ["empty", ""],
    ["old format", "igk_abcdefabcdefabcdefabcdef"],
    ["unknown env", "sk_prod_0123456789abcdef_" + "a".repeat(43)],
    ["short secret", "sk_test_0123456789abcdef_" + "a".repeat(42)],
    ["upper-case id", "sk_test_0123456789ABCDEF_" + "a".repeat(43)],
    ["trailing junk", "sk_test_0123456789abcdef_" + "a".repeat(43) + "!"],
  ])("rejects a malformed key (%s)", (_label, plain) => {
    expect(parseApiKey(plain)).toBeNull();
  });
});

describe("API key verification", () => {
  it("matches only the exact key against the stored hash", () => {
    const { plain } = newApiKey("test");
    const stored = hashApiKey(plain);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(hashMatches(plain, stored)).toBe(true);
    expect(hashMatches(plain.slice(0, -1) + (plain.endsWith("A") ? "B" : "A"), stored)).toBe(false);
    expect(hashMatches(plain, "abcd")).toBe(false);
    expect(hashMatches(plain, "")).toBe(false);
  });

  it("refuses revoked keys before expired ones, and expiry is inclusive of its instant", () => {
    const now = new Date("2026-11-21T12:00:00Z");
    expect(keyRefusal({ revokedAt: null, expiresAt: null }, now)).toBeNull();
    expect(keyRefusal({ revokedAt: null, expiresAt: new Date("2026-11-21T12:00:01Z") }, now)).toBeNull();
    expect(keyRefusal({ revokedAt: null, expiresAt: now }, now)).toBe("API_KEY_EXPIRED");
    expect(keyRefusal({ revokedAt: new Date("2026-11-01T00:00:00Z"), expiresAt: new Date("2026-11-02T00:00:00Z") }, now)).toBe("API_KEY_REVOKED");
  });

  it("refreshes lastUsedAt at most once a minute", () => {
    const now = new Date("2026-11-21T12:00:00Z");
    expect(lastUsedIsStale(null, now)).toBe(true);
    expect(lastUsedIsStale(new Date(now.getTime() - 59_999), now)).toBe(false);
    expect(lastUsedIsStale(new Date(now.getTime() - 60_000), now)).toBe(true);
  });
});
