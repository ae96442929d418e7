// Helpers for emulator-backed tests: Admin SDK handles, Auth emulator sign-in, function calls.
import { getApps, initializeApp } from "firebase-admin/app";
import { getAuth } from "firebase-admin/auth";
import { getFirestore } from "firebase-admin/firestore";

export const PROJECT_ID = process.env.GCLOUD_PROJECT || "demo-imagegen";

export function requireEmulators(): void {
  for (const v of ["FIRESTORE_EMULATOR_HOST", "FIREBASE_AUTH_EMULATOR_HOST"]) {
    if (!process.env[v]) throw new Error(`${v} is not set: run emulator tests through \`npm test\``);
  }
}

export function adminApp() {
  requireEmulators();
  return getApps()[0] ?? initializeApp({ projectId: PROJECT_ID });
}

export const db = () => getFirestore(adminApp());
export const auth = () => getAuth(adminApp());

/** Signs in with email + password on the Auth emulator's REST API and returns the ID token. */
export async function signIn(email: string, password = "password123"): Promise<string> {
  const host = process.env.FIREBASE_AUTH_EMULATOR_HOST;
  const res = await fetch(
    `http://${host}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=fake-api-key`,
    { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password, returnSecureToken: true }) },
  );
  const body = (await res.json()) as { idToken?: string; error?: { message: string } };
  if (!body.idToken) throw new Error(`sign-in failed for ${email}: ${body.error?.message ?? res.status}`);
  return body.idToken;
}

/** Creates a fresh Auth user + users/{uid} doc with a grant ledger entry, so tests never share balances. */
export async function createTestUser(opts: { credits: number; role?: "user" | "admin" | "superadmin"; prefix?: string }) {
  const uid = `${opts.prefix ?? "t"}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const email = `${uid}@test.example.com`;
  await auth().createUser({ uid, email, password: "password123" });
  if (opts.role && opts.role !== "user") await auth().setCustomUserClaims(uid, { role: opts.role });
  const now = new Date();
  const batch = db().batch();
  batch.set(db().doc(`users/${uid}`), { email, role: opts.role ?? "user", credits: opts.credits, createdAt: now, updatedAt: now });
  if (opts.credits) {
    batch.set(db().doc(`users/${uid}/ledger/grant-test`), {
      type: "grant", amount: opts.credits, balanceAfter: opts.credits, reason: "test setup", actor: "system:test", createdAt: now,
    });
  }
  await batch.commit();
  const token = await signIn(email);
  return { uid, email, token };
}

export function functionsUrl(name: string): string {
  const base = process.env.FUNCTIONS_BASE_URL ?? `http://127.0.0.1:5001/${PROJECT_ID}/us-central1`;
  return `${base}/${name}`;
}

export interface CallResult<T = any> { status: number; body: T }

/** Calls an HTTPS function like a client would: JSON body, Bearer token or API key. */
export async function callFunction<T = any>(
  name: string,
  opts: { method?: "GET" | "POST"; token?: string; apiKey?: string; body?: unknown; query?: Record<string, string | number | undefined>; headers?: Record<string, string> } = {},
): Promise<CallResult<T>> {
  const url = new URL(functionsUrl(name));
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.apiKey) headers["x-api-key"] = opts.apiKey;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers["content-type"] ??= "application/json";
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
  }
  const res = await fetch(url, { method: opts.method ?? (body ? "POST" : "GET"), headers, body });
  const text = await res.text();
  let parsed: any = text;
  try { parsed = JSON.parse(text); } catch { /* non-JSON answers are returned as text */ }
  return { status: res.status, body: parsed };
}

/** Sum of a user's ledger amounts and their balance: the invariant every money test checks. */
export async function ledgerState(uid: string) {
  const [user, ledger] = await Promise.all([db().doc(`users/${uid}`).get(), db().collection(`users/${uid}/ledger`).get()]);
  const sum = ledger.docs.reduce((s, d) => s + (d.get("amount") as number), 0);
  return { credits: user.get("credits") as number, ledgerSum: sum, entries: ledger.docs.map((d) => ({ id: d.id, ...d.data() })) };
}
