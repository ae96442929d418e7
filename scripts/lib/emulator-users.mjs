// Users on the emulators, shared by the seed, the demo and the benchmarks: sign-in through the
// Auth emulator's REST API, and a funded user whose balance is backed by a grant entry, so
// credits == sum(ledger) holds from the first moment.

export async function signIn(authHost, email, password) {
  const res = await fetch(`http://${authHost}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=emulator`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password, returnSecureToken: true }),
  });
  const text = await res.text();
  let out = {};
  try { out = JSON.parse(text); } catch { /* reported below */ }
  if (!out.idToken) throw new Error(`sign-in as ${email} failed: ${out.error?.message ?? `${res.status} ${text.slice(0, 200)}`}`);
  return out.idToken;
}

/**
 * Auth user (+ role claim) and users/{uid} with `credits`, granted by ledger entry `grantId`.
 * `at` is the timestamp written on both documents.
 */
export async function createFundedUser(auth, db, { uid, email, password, credits, role = "user", grantId, reason, actor, at = new Date(), emailVerified = false }) {
  await auth.createUser({ uid, email, password, emailVerified });
  if (role !== "user") await auth.setCustomUserClaims(uid, { role });
  const batch = db.batch();
  // The balance is one admin grant without expiry (issue 16): wallet on the user, the grant's
  // document, and its ledger entry, so every grant invariant holds from the first moment.
  const grants = credits > 0 ? [{ id: grantId, source: "admin", remaining: credits, expiresAt: null, createdAt: at }] : [];
  batch.set(db.doc(`users/${uid}`), { email, role, credits, grants, debt: 0, createdAt: at, updatedAt: at });
  batch.set(db.doc(`users/${uid}/ledger/${grantId}`), { type: "grant", amount: credits, balanceAfter: credits, grantId, source: "admin", paidDebt: 0, draws: [], reason, actor, createdAt: at });
  if (credits > 0) {
    batch.set(db.doc(`users/${uid}/grants/${grantId}`), {
      source: "admin", amount: credits, remaining: credits, drawn: 0, givenBack: 0, expired: 0, expiresAt: null, createdAt: at, origin: { seed: true }, updatedAt: at,
    });
  }
  await batch.commit();
}
