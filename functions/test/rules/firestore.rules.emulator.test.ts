// firestore.rules against the Firestore emulator: clients read their own things, write nothing
// that holds or derives from money.
import fs from "node:fs";
import path from "node:path";
import { assertFails, assertSucceeds, initializeTestEnvironment, type RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { collection, doc, getDoc, getDocs, query, setDoc, updateDoc, where, deleteDoc } from "firebase/firestore";

let env: RulesTestEnvironment;
const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const alice = `rules_alice_${suffix}`;
const bob = `rules_bob_${suffix}`;
const aliceReq = `rules_req_a_${suffix}`;
const aliceKey = `a1b2c3d4${suffix}`.slice(0, 16);

beforeAll(async () => {
  const [host, port] = process.env.FIRESTORE_EMULATOR_HOST!.split(":");
  env = await initializeTestEnvironment({
    projectId: process.env.GCLOUD_PROJECT ?? "demo-imagegen",
    firestore: { host, port: Number(port), rules: fs.readFileSync(path.join(__dirname, "../../../firestore.rules"), "utf8") },
  });
  await env.withSecurityRulesDisabled(async (ctx) => {
    const db = ctx.firestore();
    await setDoc(doc(db, `users/${alice}`), { credits: 5, role: "user" });
    await setDoc(doc(db, `users/${alice}/ledger/grant-x`), { type: "grant", amount: 5 });
    await setDoc(doc(db, `users/${alice}/private/webhook`), { secret: "s3cret" });
    await setDoc(doc(db, `users/${bob}`), { credits: 1, role: "user" });
    await setDoc(doc(db, `generationRequests/${aliceReq}`), { userId: alice, status: "queued", cost: 1 });
    await setDoc(doc(db, `usageWeekly/2026-W01_${alice}`), { uid: alice, requests: 1 });
    await setDoc(doc(db, `apiKeys/${aliceKey}`), { uid: alice, hash: "00", scopes: ["read"], dailyUsage: { day: "2026-01-01", count: 1 } });
    await setDoc(doc(db, `auditLog/rules_audit_${suffix}`), { action: "role.set", target: { userId: alice } });
    // Admins as the server mirrors them; the demoted one still holds an admin claim in its token.
    await setDoc(doc(db, `users/rules_admin_${suffix}`), { credits: 0, role: "admin" });
    await setDoc(doc(db, `users/rules_super_${suffix}`), { credits: 0, role: "superadmin" });
    await setDoc(doc(db, `users/rules_demoted_${suffix}`), { credits: 0, role: "user" });
  });
});

afterAll(async () => {
  await env?.cleanup();
});

const as = (uid: string, claims: Record<string, unknown> = {}) => env.authenticatedContext(uid, claims).firestore();

describe("firestore.rules", () => {
  it("trusts the server-written role mirror, not a stale admin claim (issue 12 item 7)", async () => {
    const demoted = as(`rules_demoted_${suffix}`, { role: "admin" });
    await assertFails(getDoc(doc(demoted, `users/${alice}`)));
    await assertFails(getDocs(collection(demoted, `users/${alice}/ledger`)));
    await assertFails(getDoc(doc(demoted, `generationRequests/${aliceReq}`)));
    // A token claiming admin for a user the server never made one (no mirror at all) reads nothing either.
    await assertFails(getDoc(doc(as(`rules_nobody_${suffix}`, { role: "superadmin" }), `users/${alice}`)));
    await assertSucceeds(getDoc(doc(as(`rules_admin_${suffix}`, { role: "admin" }), `users/${alice}`)));
  });

  it("lets a user read their own user doc, ledger and requests", async () => {
    const db = as(alice);
    await assertSucceeds(getDoc(doc(db, `users/${alice}`)));
    await assertSucceeds(getDocs(collection(db, `users/${alice}/ledger`)));
    await assertSucceeds(getDoc(doc(db, `generationRequests/${aliceReq}`)));
    await assertSucceeds(getDocs(query(collection(db, "generationRequests"), where("userId", "==", alice))));
  });

  it("hides other users' docs, ledgers and requests", async () => {
    const db = as(bob);
    await assertFails(getDoc(doc(db, `users/${alice}`)));
    await assertFails(getDocs(collection(db, `users/${alice}/ledger`)));
    await assertFails(getDoc(doc(db, `generationRequests/${aliceReq}`)));
    // A list query that is not restricted to the caller's own requests is refused as a whole.
    await assertFails(getDocs(collection(db, "generationRequests")));
  });

  it("lets nobody write credits, ledger entries or requests from a client", async () => {
    const db = as(alice);
    await assertFails(updateDoc(doc(db, `users/${alice}`), { credits: 1_000_000 }));
    await assertFails(setDoc(doc(db, `users/${alice}/ledger/grant-free`), { type: "grant", amount: 100 }));
    await assertFails(deleteDoc(doc(db, `users/${alice}/ledger/grant-x`)));
    await assertFails(setDoc(doc(db, `generationRequests/rules_new_${suffix}`), { userId: alice, status: "succeeded" }));
    await assertFails(updateDoc(doc(db, `generationRequests/${aliceReq}`), { status: "cancelled" }));
    const admin = as(`rules_admin_${suffix}`, { role: "admin" });
    await assertFails(updateDoc(doc(admin, `users/${alice}`), { credits: 99 }));
  });

  it("keeps server-only collections and secrets private, even from their owner", async () => {
    const db = as(alice);
    await assertFails(getDoc(doc(db, `users/${alice}/private/webhook`)));
    await assertFails(getDoc(doc(db, `usageWeekly/2026-W01_${alice}`)));
    await assertFails(getDocs(collection(db, "apiKeys")));
  });

  it("keeps API keys (with their quota counters) and the audit log server-only, admins included", async () => {
    for (const db of [as(alice), as(`rules_admin_${suffix}`, { role: "admin" }), as(`rules_super_${suffix}`, { role: "superadmin" })]) {
      await assertFails(getDoc(doc(db, `apiKeys/${aliceKey}`)));
      await assertFails(getDocs(query(collection(db, "apiKeys"), where("uid", "==", alice))));
      await assertFails(updateDoc(doc(db, `apiKeys/${aliceKey}`), { dailyUsage: { day: "2026-01-01", count: 0 } }));
      await assertFails(setDoc(doc(db, `apiKeys/ffffffffffffffff`), { uid: alice, hash: "00", scopes: ["generate"] }));
      await assertFails(getDocs(collection(db, "auditLog")));
      await assertFails(setDoc(doc(db, `auditLog/forged_${suffix}`), { action: "role.set" }));
      await assertFails(deleteDoc(doc(db, `auditLog/rules_audit_${suffix}`)));
    }
    // The per-minute window on a user's own doc is readable by that user but, like credits, not writable.
    await assertFails(updateDoc(doc(as(alice), `users/${alice}`), { createWindow: { startMs: 0, count: 0 } }));
  });

  it("lets signed-in users read the catalog and nobody change it", async () => {
    await assertSucceeds(getDoc(doc(as(alice), "models/A")));
    await assertSucceeds(getDocs(collection(as(alice), "sizes")));
    await assertFails(getDoc(doc(env.unauthenticatedContext().firestore(), "models/A")));
    await assertFails(setDoc(doc(as(alice), "models/A"), { creditsPerImage: 0 }));
  });

  it("lets admins read any user and reports, users no reports", async () => {
    const admin = as(`rules_admin_${suffix}`, { role: "admin" });
    await assertSucceeds(getDoc(doc(admin, `users/${alice}`)));
    await assertSucceeds(getDoc(doc(admin, "reports/2026-W01")));
    await assertFails(getDoc(doc(as(alice), "reports/2026-W01")));
  });
});
