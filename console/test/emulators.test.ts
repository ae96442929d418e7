import { isDemoProject, parseEmulatorHosts } from "../src/lib/emulators";

// The shape firebase-tools 14.18 serves at /__/firebase/init.js?useEmulator=true (templates/hosting/init.js).
const initJs = (emulators: string) => `if (typeof firebase === 'undefined') throw new Error('hosting/init-error');
var firebaseConfig = {\n  "projectId": "demo-imagegen"\n};
if (firebaseConfig) {
  firebase.initializeApp(firebaseConfig);

  var firebaseEmulators = ${emulators};
  if (firebaseEmulators) {
    console.log("Automatically connecting Firebase SDKs to running emulators:");
  }
}`;

describe("emulator hosts from the Hosting emulator's init.js", () => {
  it("reads every emulator's host and port", () => {
    const json = JSON.stringify({ auth: { host: "127.0.0.1", port: 12099, hostAndPort: "127.0.0.1:12099" }, firestore: { host: "127.0.0.1", port: 11080, hostAndPort: "127.0.0.1:11080" } }, null, 2);
    expect(parseEmulatorHosts(initJs(json))).toEqual({
      auth: { host: "127.0.0.1", port: 12099, hostAndPort: "127.0.0.1:12099" },
      firestore: { host: "127.0.0.1", port: 11080, hostAndPort: "127.0.0.1:11080" },
    });
  });

  it("answers no emulators for the plain init.js and for other text", () => {
    expect(parseEmulatorHosts(initJs("undefined"))).toEqual({});
    expect(parseEmulatorHosts("<html>not found</html>")).toEqual({});
  });

  it("looks for emulators only in demo-* projects", () => {
    expect(isDemoProject("demo-imagegen")).toBe(true);
    expect(isDemoProject("acme-prod")).toBe(false);
    expect(isDemoProject(undefined)).toBe(false);
  });
});
