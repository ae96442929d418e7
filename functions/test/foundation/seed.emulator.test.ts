import { auth, db, signIn, callFunction, ledgerState } from "../../../test-support/emulator";

describe("seeded emulator data", () => {
  it("has the four seeded users, each seed balance granted by a ledger entry", async () => {
    const expected: Record<string, number> = { user_test1: 10, user_test2: 3, admin_test: 1000, superadmin_test: 100 };
    for (const [uid, credits] of Object.entries(expected)) {
      const seedGrant = await db().doc(`users/${uid}/ledger/grant-seed`).get();
      expect(seedGrant.data()).toMatchObject({ type: "grant", amount: credits, balanceAfter: credits });
      // Other suites may spend and refund seeded credits meanwhile; the invariant must hold regardless.
      const state = await ledgerState(uid);
      expect(state.credits).toBe(state.ledgerSum);
    }
  });

  it("has the catalog, including disabled entries", async () => {
    const ids = async (kind: string, enabled: boolean) =>
      (await db().collection(kind).where("enabled", "==", enabled).get()).docs.map((d) => d.id).sort();
    expect(await ids("models", true)).toEqual(["A", "B", "staging"]);
    expect(await ids("models", false)).toEqual(["legacy"]);
    expect(await ids("styles", true)).toEqual(["anime", "realistic", "scandinavian"]);
    expect(await ids("colors", true)).toEqual(["monochrome", "muted", "vibrant"]);
    expect(await ids("sizes", true)).toEqual(["1024x1024", "1024x768", "1216x832", "512x512", "768x1024", "768x768", "832x1216"]);
    expect((await ids("styles", false)).length).toBeGreaterThan(0);
    const a = await db().doc("models/A").get();
    expect(a.get("creditsPerImage")).toBe(1);
    expect((await db().doc("models/B").get()).get("creditsPerImage")).toBe(2);
  });

  it("makes model A trainable at 5 credits per run (issue 15) and prices every size by its pixels", async () => {
    expect((await db().doc("models/A").get()).get("training")).toEqual({ creditsPerRun: 5, defaultSteps: 200, maxSteps: 1000, workflow: "train-lora", loraLoader: "LoraLoader" });
    expect((await db().doc("models/B").get()).get("training")).toBeUndefined();
    const sizes = (await db().collection("sizes").where("enabled", "==", true).get()).docs.map((d) => d.data());
    // One credit per 512x512 image worth of pixels, rounded to whole credits (768x768: 2.25 → 2).
    for (const s of sizes) expect(s.creditMultiplier).toBe(Math.round((s.width * s.height) / (512 * 512)));
  });

  it("issues ID tokens on the Auth emulator that verify with the seeded claims", async () => {
    const adminToken = await signIn("admin@example.com");
    const decodedAdmin = await auth().verifyIdToken(adminToken);
    expect(decodedAdmin.uid).toBe("admin_test");
    expect(decodedAdmin.role).toBe("admin");
    expect((await auth().verifyIdToken(await signIn("superadmin@example.com"))).role).toBe("superadmin");
    const userToken = await signIn("user1@example.com");
    const decodedUser = await auth().verifyIdToken(userToken);
    expect(decodedUser.uid).toBe("user_test1");
    expect(decodedUser.role).toBeUndefined();
    await expect(signIn("user1@example.com", "wrong-password")).rejects.toThrow(/INVALID_PASSWORD|INVALID_LOGIN_CREDENTIALS/);
  });

  it("serves the health function from the Functions emulator", async () => {
    const res = await callFunction("health");
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ok");
  });
});
