import { getApps, initializeApp } from "firebase-admin/app";
import { getFirestore, type Firestore } from "firebase-admin/firestore";

let db: Firestore | undefined;

/** The one Firestore handle of the process (Admin SDK; the emulator when FIRESTORE_EMULATOR_HOST is set). */
export function firestore(): Firestore {
  if (!db) {
    const app = getApps()[0] ?? initializeApp();
    db = getFirestore(app);
    db.settings({ ignoreUndefinedProperties: true });
  }
  return db;
}
