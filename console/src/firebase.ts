// Firebase for the console: the web config from Hosting's /__/firebase/init.json (deployed and
// emulated alike), and the emulators when the project is a demo-* one. The SDK is bundled.
import { initializeApp } from "firebase/app";
import { connectAuthEmulator, getAuth, type Auth } from "firebase/auth";
import { connectFirestoreEmulator, getFirestore, type Firestore } from "firebase/firestore";
import { isDemoProject, parseEmulatorHosts } from "./lib/emulators";

export interface Services {
  auth: Auth;
  db: Firestore;
  projectId: string;
  emulated: boolean;
}

export async function startFirebase(): Promise<Services> {
  const config = await (await fetch("/__/firebase/init.json")).json();
  const emulated = isDemoProject(config.projectId);
  // Learn the emulators' addresses before the SDK starts: getAuth() at once restores a persisted
  // user and looks it up, which must already go to the Auth emulator (not to production).
  const hosts = emulated ? parseEmulatorHosts(await (await fetch("/__/firebase/init.js?useEmulator=true")).text()) : {};
  if (emulated && (!hosts.auth || !hosts.firestore)) throw new Error("the Hosting emulator reports no Auth or Firestore emulator: start them together (npm run dev)");
  const app = initializeApp(config);
  const auth = getAuth(app);
  // Synchronously after getAuth, and without the banner that would cover the page's bottom.
  if (hosts.auth) connectAuthEmulator(auth, `http://${hosts.auth.hostAndPort}`, { disableWarnings: true });
  const db = getFirestore(app);
  if (hosts.firestore) connectFirestoreEmulator(db, hosts.firestore.host, hosts.firestore.port);
  return { auth, db, projectId: config.projectId, emulated };
}
