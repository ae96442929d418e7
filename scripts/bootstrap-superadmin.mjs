#!/usr/bin/env node
// Makes a user superadmin from the command line: the root of trust, since setUserRole itself
// needs a superadmin. Same code path as the endpoint (functions/lib/auth/roleChange.js), so the
// claim, the users/{uid}.role mirror and the audit entry are written the same way.
//
//   npm run bootstrap-superadmin -- --emulator --email ops@example.com
//   npm run bootstrap-superadmin -- --project my-prod-project --email ops@example.com
//
// Production uses Application Default Credentials (`gcloud auth application-default login`).
// It refuses when a superadmin already exists, unless --force: after the first, use setUserRole.
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { initializeApp } from "firebase-admin/app";
import { getAuth } from "firebase-admin/auth";
import { getFirestore } from "firebase-admin/firestore";
import { ports, PROJECT_ID, repoRoot } from "./lib/env.mjs";

const usage = "usage: bootstrap-superadmin (--emulator | --project <id>) (--email <email> | --uid <uid>) [--reason <text>] [--force]";
const { values: a } = parseArgs({
  options: { emulator: { type: "boolean" }, project: { type: "string" }, email: { type: "string" }, uid: { type: "string" }, reason: { type: "string" }, force: { type: "boolean" } },
});
if (!!a.emulator === !!a.project || !!a.email === !!a.uid) fail(usage);

if (a.emulator) {
  const p = ports();
  process.env.FIREBASE_AUTH_EMULATOR_HOST ??= `127.0.0.1:${p.auth}`;
  process.env.FIRESTORE_EMULATOR_HOST ??= `127.0.0.1:${p.firestore}`;
}
const projectId = a.project ?? process.env.GCLOUD_PROJECT ?? PROJECT_ID;
const { changeRole } = loadRoleChange();
const app = initializeApp({ projectId });
const auth = getAuth(app);
const db = getFirestore(app);
console.log(`target: ${a.emulator ? `emulators (auth ${process.env.FIREBASE_AUTH_EMULATOR_HOST}, firestore ${process.env.FIRESTORE_EMULATOR_HOST})` : "production"}, project ${projectId}`);

const user = await (a.email ? auth.getUserByEmail(a.email) : auth.getUser(a.uid)).catch(() => fail(`no Auth user with ${a.email ? `email ${a.email}` : `uid ${a.uid}`}`));
const existing = (await db.collection("users").where("role", "==", "superadmin").limit(5).get()).docs.map((d) => d.id).filter((id) => id !== user.uid);
if (existing.length && !a.force) fail(`superadmin(s) already exist: ${existing.join(", ")}. Use setUserRole as one of them, or pass --force.`);

const actor = { uid: `cli:${os.userInfo().username}@${os.hostname()}`, role: "superadmin", via: "cli" };
const result = await changeRole(db, auth, actor, { userId: user.uid, role: "superadmin", reason: a.reason ?? "bootstrap-superadmin script" }, { bootstrap: true });
console.log(JSON.stringify(result));
console.log(result.changed ? `${user.email ?? user.uid} is now superadmin; they must sign in again (or refresh their ID token) to carry the claim.` : `${user.email ?? user.uid} was already superadmin; nothing changed.`);
process.exit(0);

function loadRoleChange() {
  const lib = path.join(repoRoot, "functions", "lib", "auth", "roleChange.js");
  try {
    return createRequire(import.meta.url)(lib);
  } catch {
    return fail(`${path.relative(process.cwd(), lib)} is missing: run \`npm run build\` first (npm run bootstrap-superadmin does)`);
  }
}

function fail(message) {
  console.error(`bootstrap-superadmin: ${message}`);
  process.exit(1);
}
