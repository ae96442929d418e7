import { getApps, initializeApp, type App } from "firebase-admin/app";
import { getAuth, type Auth } from "firebase-admin/auth";
import { getFirestore, type Firestore } from "firebase-admin/firestore";

let db: Firestore | undefined;

/** The Admin SDK app of the process (initialised once; emulators are picked up from the env). */
export function adminApp(): App {
  return getApps()[0] ?? initializeApp();
}

/** The one Firestore handle of the process. */
export function firestore(): Firestore {
  db ??= getFirestore(adminApp());
  return db;
}

export function adminAuth(): Auth {
  return getAuth(adminApp());
}
