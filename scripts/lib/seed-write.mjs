// Writes the seed into running emulators through the Admin SDK (Auth + Firestore).
import { initializeApp } from "firebase-admin/app";
import { getAuth } from "firebase-admin/auth";
import { getFirestore, Timestamp } from "firebase-admin/firestore";
import { PROJECT_ID, users, catalog, billing } from "./seed-data.mjs";
import { createFundedUser } from "./emulator-users.mjs";

export async function writeSeed() {
  const app = initializeApp({ projectId: PROJECT_ID });
  const auth = getAuth(app);
  const db = getFirestore(app);
  const now = Timestamp.fromDate(new Date("2026-01-05T00:00:00Z"));
  for (const u of users) {
    await createFundedUser(auth, db, { ...u, grantId: "grant-seed", reason: "seed balance", actor: "system:seed", at: now, emailVerified: true });
  }
  for (const [kind, items] of Object.entries({ ...catalog, ...billing })) {
    const batch = db.batch();
    for (const { id, ...item } of items) batch.set(db.doc(`${kind}/${id}`), item);
    await batch.commit();
  }
  console.log(`seeded ${users.length} users and ${Object.values(catalog).flat().length} catalog entries`);
  // After the catalog: the history's creates are priced from it.
  const history = await (await import("./seed-history.mjs")).seedUsageHistory(db);
  console.log(`seeded ${history.requests} requests of usage history over ${history.weeks.join(", ")}`);
}
