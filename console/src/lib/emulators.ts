// Where the emulators listen, as the Hosting emulator itself says: its
// /__/firebase/init.js?useEmulator=true carries `var firebaseEmulators = {…};` (JSON.stringify
// output). Reading it keeps the console free of port numbers, so IMAGEGEN_PORT_OFFSET just works.
export interface EmulatorHost {
  host: string;
  port: number;
  hostAndPort: string;
}
export type EmulatorHosts = Partial<Record<"auth" | "firestore" | "functions", EmulatorHost>>;

export function parseEmulatorHosts(initJs: string): EmulatorHosts {
  const m = /var firebaseEmulators = (\{[\s\S]*?\n\}|undefined);/.exec(initJs);
  if (!m || m[1] === "undefined") return {};
  return JSON.parse(m[1]) as EmulatorHosts;
}

/** Only demo-* projects are emulator-only, so only they look for emulators. */
export const isDemoProject = (projectId: string | undefined) => !!projectId && projectId.startsWith("demo-");
