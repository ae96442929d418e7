// Webhook signing as a receiver would check it, plus the delivery queue's retry schedule.
import { createHmac } from "node:crypto";
import { signatureHeader, verifySignature } from "../../src/webhooks/signature";
import { deliveryIdFor } from "../../src/webhooks/deliver";
import { webhookRetryConfig } from "../../src/webhooks/triggers";

const secret = "whsec_test";
const body = JSON.stringify({ id: "whd-r1-succeeded", type: "generation.succeeded", data: { id: "r1" } });
const t = 1_763_700_000;

describe("webhook signatures", () => {
  it("is HMAC-SHA256 over `${t}.${body}`, hex, in t=…,v1=…", () => {
    const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
    expect(signatureHeader(secret, t, body)).toBe(`t=${t},v1=${expected}`);
  });

  it("verifies its own header and rejects another secret, a changed body, a stale timestamp and garbage", () => {
    const header = signatureHeader(secret, t, body);
    expect(verifySignature(secret, header, body, t + 10)).toEqual({ ok: true, timestamp: t });
    expect(verifySignature("whsec_other", header, body, t)).toEqual({ ok: false, why: "mismatch" });
    expect(verifySignature(secret, header, body.replace("r1", "r2"), t)).toEqual({ ok: false, why: "mismatch" });
    expect(verifySignature(secret, header, body, t + 301)).toEqual({ ok: false, why: "stale" });
    expect(verifySignature(secret, undefined, body, t)).toEqual({ ok: false, why: "malformed" });
    expect(verifySignature(secret, "t=abc,v1=zz", body, t)).toEqual({ ok: false, why: "malformed" });
  });

  it("accepts any of several v1 entries (rotation overlap)", () => {
    const good = signatureHeader(secret, t, body).split(",")[1];
    expect(verifySignature(secret, `t=${t},v1=${"0".repeat(64)},${good}`, body, t)).toMatchObject({ ok: true });
  });

  it("names one delivery per request and terminal status, usable as a task id", () => {
    expect(deliveryIdFor("r_abc", "failed")).toBe("whd-r_abc-failed");
    expect(deliveryIdFor("r_abc", "failed")).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("retries deliveries with backoff, overridable from the environment", () => {
    expect(webhookRetryConfig({})).toEqual({ maxAttempts: 10, minBackoffSeconds: 5, maxBackoffSeconds: 600, maxDoublings: 7 });
    expect(webhookRetryConfig({ WEBHOOK_MIN_BACKOFF_SECONDS: "1" }).minBackoffSeconds).toBe(1);
  });
});

describe("rotation overlap (issue 12 item 9)", () => {
  const { signingSecrets } = require("../../src/webhooks/secret") as typeof import("../../src/webhooks/secret");
  const now = new Date("2026-11-22T12:00:00Z");
  const secret = { secret: "whsec_new", createdAt: now, rotatedAt: now, previous: { secret: "whsec_old", expiresAt: new Date(now.getTime() + 1000) } };

  it("signs with the new and the old secret while the old one overlaps, then with the new one only", () => {
    expect(signingSecrets(secret, now)).toEqual(["whsec_new", "whsec_old"]);
    expect(signingSecrets(secret, new Date(now.getTime() + 1000))).toEqual(["whsec_new"]);
    const body = '{"id":"x"}';
    const header = signatureHeader(signingSecrets(secret, now), 1_800_000_000, body);
    expect(verifySignature("whsec_old", header, body, 1_800_000_000)).toMatchObject({ ok: true });
    expect(verifySignature("whsec_new", header, body, 1_800_000_000)).toMatchObject({ ok: true });
    expect(verifySignature("whsec_other", header, body, 1_800_000_000)).toMatchObject({ ok: false, why: "mismatch" });
  });
});
