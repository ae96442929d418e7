// firebase.json's Hosting block serves the console and routes /api/<name> to every registered
// endpoint and nothing else, in the function's region, before any catch-all.
import fs from "node:fs";
import path from "node:path";
import { registeredEndpoints } from "../../src/openapi/registry";
import { hostingRewrites } from "../../src/openapi/rewrites";

const firebaseJson = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "..", "firebase.json"), "utf8"));

describe("Hosting config", () => {
  it("rewrites /api/<name> to each registered endpoint (update firebase.json from the expected list when this fails)", () => {
    const expected = hostingRewrites(registeredEndpoints(), "us-central1");
    const actual = firebaseJson.hosting.rewrites.filter((r: { source: string }) => r.source.startsWith("/api/"));
    expect(actual).toEqual(expected);
  });

  it("serves the built console folder and runs the emulator on the contract port", () => {
    expect(firebaseJson.hosting.public).toBe("console/dist");
    expect(firebaseJson.emulators.hosting).toEqual({ host: "127.0.0.1", port: 5000 });
  });
});
