import { isSafeStoragePath, signedFileUrl, signPath, verifySignature } from "../src/storage/signed-url";

const secret = "dev-storage-secret";
const now = Date.UTC(2026, 10, 21, 12);

describe("signed local file URLs", () => {
  it("signs HMAC-SHA256(secret, path + \\n + expires) as hex", () => {
    // Fixed vector so the functions package can check it signs identically.
    expect(signPath(secret, "generations/u1/r1/0.webp", 1800000000)).toBe(require("node:crypto").createHmac("sha256", secret).update("generations/u1/r1/0.webp\n1800000000").digest("hex"));
  });

  it("builds a URL that verifies, and rejects tampering, expiry and garbage", () => {
    const url = new URL(signedFileUrl("http://127.0.0.1:8090/", secret, "generations/u 1/r1/0.webp", 60, now));
    expect(url.pathname).toBe("/files/generations/u%201/r1/0.webp");
    const expires = url.searchParams.get("expires")!;
    const sig = url.searchParams.get("sig")!;
    expect(Number(expires)).toBe(now / 1000 + 60);
    expect(verifySignature(secret, "generations/u 1/r1/0.webp", expires, sig, now)).toEqual({ ok: true });
    expect(verifySignature(secret, "generations/u 1/r1/1.webp", expires, sig, now)).toEqual({ ok: false, reason: "bad-signature" });
    expect(verifySignature("other-secret", "generations/u 1/r1/0.webp", expires, sig, now)).toEqual({ ok: false, reason: "bad-signature" });
    expect(verifySignature(secret, "generations/u 1/r1/0.webp", String(Number(expires) + 1), sig, now)).toEqual({ ok: false, reason: "bad-signature" });
    expect(verifySignature(secret, "generations/u 1/r1/0.webp", expires, sig, now + 61_000)).toEqual({ ok: false, reason: "expired" });
    expect(verifySignature(secret, "generations/u 1/r1/0.webp", null, sig, now)).toEqual({ ok: false, reason: "malformed" });
    expect(verifySignature(secret, "generations/u 1/r1/0.webp", expires, "zz", now)).toEqual({ ok: false, reason: "malformed" });
  });

  it("accepts only relative paths that stay inside the storage root", () => {
    expect(isSafeStoragePath("generations/u/r/0.webp")).toBe(true);
    for (const bad of ["", "/etc/passwd", "a/../b", "a//b", "./a", "a\\b", "a/.."]) expect(isSafeStoragePath(bad)).toBe(false);
  });
});
