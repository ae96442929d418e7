// createGenerationRequest with a custom model: render.lora and the trigger word per
// the custom-model contract (docs/custom-models.md), the owner (or an admin acting for them) only, ready only, on its base model.
// Then a property-style check over many training runs: each charge is kept once or refunded once.
import { callFunction, createTestUser, db, ledgerState } from "../../../test-support/emulator";
import { until } from "../../../test-support/wait";
import { rng } from "../../../test-support/rng";
import { createdModel, modelDoc, runnerClaim, runnerFail, runnerSucceed } from "./helpers";

const GEN = { model: "A", style: "realistic", color: "vibrant", size: "512x512" };

describe("generation with customModelId", () => {
  it("writes customModelId and render.lora, adds the trigger word when missing, keeps it when present", async () => {
    const u = await createTestUser({ credits: 20 });
    const id = await createdModel(u.token, { triggerWord: "sksdog" });
    await runnerClaim(id);
    const lora = await runnerSucceed(id);
    const plain = await callFunction("createGenerationRequest", { token: u.token, body: { ...GEN, prompt: "a portrait in a garden", customModelId: id } });
    expect(plain.status).toBe(201);
    const a = (await db().doc(`generationRequests/${plain.body.generationRequestId}`).get()).data()!;
    expect(a).toMatchObject({ customModelId: id, prompt: "a portrait in a garden", render: { lora: { path: lora.path, sha256: lora.sha256, strength: 0.9 } } });
    expect(a.render.positivePrompt).toMatch(/^sksdog a portrait in a garden, /);
    const named = await callFunction("createGenerationRequest", { token: u.token, body: { ...GEN, prompt: "SKSDOG on a beach", customModelId: id, loraStrength: 1.4 } });
    const b = (await db().doc(`generationRequests/${named.body.generationRequestId}`).get()).data()!;
    expect(b.render.positivePrompt).toMatch(/^SKSDOG on a beach, /);
    expect(b.render.lora.strength).toBe(1.4);
    const none = await callFunction("createGenerationRequest", { token: u.token, body: { ...GEN, prompt: "no lora" } });
    const c = (await db().doc(`generationRequests/${none.body.generationRequestId}`).get()).data()!;
    expect(c.customModelId).toBeNull();
    expect(c.render.lora).toBeUndefined();
  });

  it("an admin acting for the owner may use the owner's model", async () => {
    const [u, admin] = await Promise.all([createTestUser({ credits: 10 }), createTestUser({ credits: 0, role: "admin" })]);
    const id = await createdModel(u.token);
    await runnerClaim(id);
    await runnerSucceed(id);
    const res = await callFunction("createGenerationRequest", { token: admin.token, body: { ...GEN, prompt: "x", customModelId: id, userId: u.uid } });
    expect(res.status).toBe(201);
    // Acting for nobody, the admin's own account has no such model.
    expect((await callFunction("createGenerationRequest", { token: admin.token, body: { ...GEN, prompt: "x", customModelId: id } })).status).toBe(404);
  });

  it("refuses someone else's model (404), a model not ready (409), another base model (400), a bad strength (400); nothing charged", async () => {
    const [u, other] = await Promise.all([createTestUser({ credits: 10 }), createTestUser({ credits: 10 })]);
    const queued = await createdModel(u.token);
    const theirs = await createdModel(other.token);
    await runnerClaim(theirs);
    await runnerSucceed(theirs);
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ customModelId: theirs }, 404, "NOT_FOUND"],
      [{ customModelId: "cm_doesnotexist" }, 404, "NOT_FOUND"],
      [{ customModelId: queued }, 409, "FAILED_PRECONDITION"],
      [{ customModelId: theirs, loraStrength: 2.5 }, 400, "INVALID_ARGUMENT"],
      [{ loraStrength: 1 }, 400, "INVALID_ARGUMENT"],
    ];
    for (const [extra, status, code] of cases) {
      const res = await callFunction("createGenerationRequest", { token: u.token, body: { ...GEN, prompt: "x", ...extra } });
      expect({ extra, status: res.status, code: res.body.error?.code }).toEqual({ extra, status, code });
    }
    const mine = await createdModel(other.token, {}, 30);
    await runnerClaim(mine);
    await runnerSucceed(mine);
    const mismatch = await callFunction("createGenerationRequest", { token: other.token, body: { ...GEN, model: "B", prompt: "x", customModelId: mine } });
    expect(mismatch).toMatchObject({ status: 400, body: { error: { code: "INVALID_ARGUMENT", message: expect.stringMatching(/model: must be 'A'/) } } });
    expect(await ledgerState(u.uid)).toMatchObject({ credits: 5, ledgerSum: 5 });
    expect(await ledgerState(other.uid)).toMatchObject({ credits: 0, ledgerSum: 0 });
  });
});

describe("every training charge is kept once or refunded once", () => {
  // One account per run: ready models hold a slot (at most 3), and the property is per charge.
  it("holds over random outcomes (ready, failed, cancelled, deleted while queued or after ready)", async () => {
    const rand = rng(1515);
    const outcomes = ["ready", "failed", "cancel", "delete-queued", "delete-ready"] as const;
    const refunded = new Set(["failed", "cancel", "delete-queued"]);
    const runs = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      const outcome = outcomes[Math.floor(rand() * outcomes.length)];
      const u = await createTestUser({ credits: 7 });
      const id = await createdModel(u.token, {}, 200 + i * 10);
      if (outcome === "cancel") await callFunction("cancelCustomModel", { token: u.token, body: { id } });
      else if (outcome === "delete-queued") await callFunction("deleteCustomModel", { token: u.token, body: { id } });
      else {
        await runnerClaim(id);
        if (outcome === "failed") await runnerFail(id);
        else await runnerSucceed(id);
        if (outcome === "delete-ready") await callFunction("deleteCustomModel", { token: u.token, body: { id } });
      }
      return { id, uid: u.uid, outcome };
    }));
    expect(new Set(runs.map((r) => r.outcome)).size).toBeGreaterThanOrEqual(3);
    await until("every refund", async () => {
      const docs = await Promise.all(runs.map((r) => modelDoc(r.id)));
      return docs.every((d, i) => d.refunded === refunded.has(runs[i].outcome)) ? true : undefined;
    });
    for (const r of runs) {
      const { entries, credits, ledgerSum } = await ledgerState(r.uid);
      expect(entries.filter((e: any) => e.id === `debit-${r.id}`)).toHaveLength(1);
      expect(entries.filter((e: any) => e.id === `refund-${r.id}`)).toHaveLength(refunded.has(r.outcome) ? 1 : 0);
      expect({ outcome: r.outcome, credits }).toEqual({ outcome: r.outcome, credits: refunded.has(r.outcome) ? 7 : 2 });
      expect(ledgerSum).toBe(credits);
    }
  });
});
