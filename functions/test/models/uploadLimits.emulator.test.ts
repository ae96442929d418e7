// Issue 23 item 12: createUpload has a per-user window (MAX_UPLOADS_PER_MINUTE, 60) and a cap on
// unused uploads (MAX_OUTSTANDING_UPLOADS, 100), over HTTP. Uploads made earlier are written as
// the endpoint writes them, with older creation times, so the window is not what refuses them.
import { callFunction, createTestUser, db } from "../../../test-support/emulator";

const BODY = { purpose: "training-image", contentType: "image/png", bytes: 1000 };
const HOUR = 3_600_000;

/** `n` uploads of `uid` as createUpload writes them, created `ageMs` ago, still `status`. */
async function earlierUploads(uid: string, n: number, ageMs: number, status: "pending" | "used" = "pending"): Promise<string[]> {
  const batch = db().batch();
  const ids = Array.from({ length: n }, (_, i) => `up_limit_${uid.slice(-8)}_${status}_${ageMs}_${i}`);
  const createdAt = new Date(Date.now() - ageMs);
  for (const id of ids) {
    batch.create(db().doc(`uploads/${id}`), { userId: uid, purpose: "training-image", contentType: "image/png", bytes: 1000, path: `uploads/${uid}/${id}`, status, usedBy: status === "used" ? "cm_x" : null, createdAt, urlExpiresAt: new Date(createdAt.getTime() + 900_000) });
  }
  await batch.commit();
  return ids;
}

const create = (token: string) => callFunction("createUpload", { token, body: BODY });

describe("createUpload limits", () => {
  it("the 61st upload within a minute is 429 RATE_LIMITED with Retry-After; none of the refused ones is written", async () => {
    const u = await createTestUser({ credits: 0, prefix: "uplim" });
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) statuses.push((await create(u.token)).status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(60);
    expect(statuses[60]).toBe(429);
    const refused = await create(u.token);
    expect(refused.body.error).toMatchObject({ code: "RATE_LIMITED", details: { retryAfterSeconds: expect.any(Number) } });
    const written = await db().collection("uploads").where("userId", "==", u.uid).count().get();
    expect(written.data().count).toBe(60);
  });

  it("100 unused uploads: the next is 429 QUOTA_EXCEEDED until one is used; used and expired ones do not count", async () => {
    const u = await createTestUser({ credits: 0, prefix: "uplim" });
    await earlierUploads(u.uid, 30, 26 * HOUR); // expired (older than UPLOAD_MAX_AGE_SECONDS)
    await earlierUploads(u.uid, 30, 2 * HOUR, "used");
    const pending = await earlierUploads(u.uid, 100, 2 * HOUR);
    const refused = await create(u.token);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: "QUOTA_EXCEEDED", details: { maxOutstandingUploads: 100 } });
    // Until the oldest unused one expires: a day after it was made, two hours ago.
    expect(refused.body.error.details.retryAfterSeconds).toBeGreaterThan(21 * 3600);
    expect(refused.body.error.details.retryAfterSeconds).toBeLessThanOrEqual(22 * 3600);

    await db().doc(`uploads/${pending[0]}`).update({ status: "used", usedBy: "cm_y" });
    expect((await create(u.token)).status).toBe(201);
    expect((await create(u.token)).status).toBe(429);
  });
});
