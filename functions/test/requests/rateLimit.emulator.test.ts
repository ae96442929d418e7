// The per-minute cap, through the real create module against the emulator (the cap is config,
// so this file sets a low one for its own module instances; the HTTP default is 120).
import { createTestUser, ledgerState } from "../../../test-support/emulator";

process.env.MAX_CREATES_PER_MINUTE = "3";
const { createGenerationRequest } = require("../../src/requests/create") as typeof import("../../src/requests/create");
const { firestore } = require("../../src/shared/firestore") as typeof import("../../src/shared/firestore");

const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "rate limited cat" };

it("refuses creates beyond the per-minute cap with RATE_LIMITED, charging nothing for them", async () => {
  const u = await createTestUser({ credits: 10 });
  const caller = { uid: u.uid, role: "user" as const, via: "id-token" as const };
  const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => createGenerationRequest(firestore(), caller, { ...CAT, prompt: `cat ${i}` })));
  const ok = results.filter((r) => r.status === "fulfilled");
  const limited = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason);
  expect(ok).toHaveLength(3);
  expect(limited).toHaveLength(3);
  for (const e of limited) {
    expect(e.code).toBe("RATE_LIMITED");
    expect(e.status).toBe(429);
    expect(e.details.retryAfterSeconds).toBeGreaterThan(0);
  }
  const state = await ledgerState(u.uid);
  expect(state.credits).toBe(7);
  expect(state.ledgerSum).toBe(7);
  // An idempotent replay of an admitted request is not a new create and is never limited.
  const replayKey = { ...CAT, idempotencyKey: "rate-replay-0001" };
  const other = await createTestUser({ credits: 10 });
  const otherCaller = { uid: other.uid, role: "user" as const, via: "id-token" as const };
  const first = await createGenerationRequest(firestore(), otherCaller, replayKey);
  for (let i = 0; i < 5; i++) expect((await createGenerationRequest(firestore(), otherCaller, replayKey)).generationRequestId).toBe(first.generationRequestId);
});
