// Benchmark users: created with the Admin SDK (Auth + users/{uid} + its grant, so the ledger
// invariant holds from the start) and signed in through the Auth emulator like a client.
import { getAuth } from "firebase-admin/auth";
import { createFundedUser, signIn } from "../../scripts/lib/emulator-users.mjs";

const PASSWORD = "password123";

export async function makeUser(app, db, tag, credits) {
  const uid = `bench_${Date.now().toString(36)}_${tag}`;
  const email = `${uid}@bench.example.com`;
  await createFundedUser(getAuth(app), db, { uid, email, password: PASSWORD, credits, grantId: "grant-bench", reason: "bench", actor: "bench" });
  return { uid, token: await signIn(process.env.FIREBASE_AUTH_EMULATOR_HOST, email, PASSWORD) };
}

/** Creates `count` users a few at a time (the Auth emulator is single-threaded). */
export async function makeUsers(app, db, prefix, count, credits) {
  const users = [];
  for (let i = 0; i < count; i += 10) {
    users.push(...(await Promise.all(Array.from({ length: Math.min(10, count - i) }, (_, j) => makeUser(app, db, `${prefix}${i + j}`, credits)))));
  }
  return users;
}

/** The money invariant for each user: credits == sum(ledger). Returns the users where it fails. */
export async function conservationViolations(db, uids) {
  const bad = [];
  for (const uid of uids) {
    const [user, ledger] = await Promise.all([db.doc(`users/${uid}`).get(), db.collection(`users/${uid}/ledger`).get()]);
    const sum = ledger.docs.reduce((s, d) => s + d.get("amount"), 0);
    if (user.get("credits") !== sum) bad.push({ uid, credits: user.get("credits"), ledgerSum: sum });
  }
  return bad;
}
