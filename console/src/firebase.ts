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
  const app = initializeApp(config);
  const auth = getAuth(app);
  const db = getFirestore(app);
  const emulated = isDemoProject(config.projectId);
  if (emulated) {
    const hosts = parseEmulatorHosts(await (await fetch("/__/firebase/init.js?useEmulator=true")).text());
    if (!hosts.auth || !hosts.firestore) throw new Error("the Hosting emulator reports no Auth or Firestore emulator: start them together (npm run dev)");
    // Before any auth call, and without the banner that would cover the page's bottom.
    connectAuthEmulator(auth, `http://${hosts.auth.hostAndPort}`, { disableWarnings: true });
    connectFirestoreEmulator(db, hosts.firestore.host, hosts.firestore.port);
  }
  return { auth, db, projectId: config.projectId, emulated };
}
