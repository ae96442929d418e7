// The lifecycle's pure rules: who may delete what, fresh sign-in, export cursors, retention facts,
// storage prefixes, and the local storage's prefix delete and listing.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { advance, decodeExportCursor, encodeExportCursor } from "../../src/lifecycle/exportCursor";
import { parseInputPath, userStoragePrefixes } from "../../src/lifecycle/paths";
import { inputDue, objectExpired, outputsDue, retentionCutoffs, retentionFacts } from "../../src/lifecycle/retentionPlan";
import { isFreshSignIn, planDelete } from "../../src/lifecycle/scrub";
import { loadLifecycleConfig } from "../../src/lifecycle/config";
import { LocalStorage } from "../../src/storage/storage";

const SHA = "a".repeat(64);

describe("planDelete", () => {
  const base = { exists: true, ownerId: "u1", status: "succeeded", deleted: false };
  it("deletes a finished request of the caller, or of anyone for an admin", () => {
    for (const status of ["succeeded", "failed", "cancelled"]) expect(planDelete({ ...base, status }, "u1", false)).toEqual({ kind: "delete" });
    expect(planDelete(base, "admin1", true)).toEqual({ kind: "delete" });
  });
  it("answers someone else's id exactly like a missing one", () => {
    expect(planDelete(base, "u2", false)).toEqual({ kind: "not-found" });
    expect(planDelete({ ...base, exists: false, ownerId: null, status: null }, "u1", false)).toEqual({ kind: "not-found" });
  });
  it("refuses queued and running requests, and is idempotent once deleted", () => {
    expect(planDelete({ ...base, status: "running" }, "u1", false)).toEqual({ kind: "not-finished", status: "running" });
    expect(planDelete({ ...base, status: "queued" }, "u1", false)).toEqual({ kind: "not-finished", status: "queued" });
    expect(planDelete({ ...base, deleted: true }, "u1", false)).toEqual({ kind: "already-deleted" });
  });
});

describe("isFreshSignIn", () => {
  const now = Date.parse("2026-11-22T07:00:00Z");
  it("accepts a sign-in within the window and refuses an older or missing one", () => {
    expect(isFreshSignIn(now / 1000 - 299, now, 300)).toBe(true);
    expect(isFreshSignIn(now / 1000 - 301, now, 300)).toBe(false);
    expect(isFreshSignIn(undefined, now, 300)).toBe(false);
    expect(isFreshSignIn(Number.NaN, now, 300)).toBe(false);
  });
});

describe("export cursor", () => {
  it("round-trips and refuses anything it did not issue", () => {
    const c = encodeExportCursor({ section: 1, inner: "abc" });
    expect(decodeExportCursor(c, 3)).toEqual({ section: 1, inner: "abc" });
    for (const bad of ["nope", encodeExportCursor({ section: 3, inner: null }), Buffer.from('{"s":-1,"c":null}').toString("base64url"), Buffer.from('{"s":0,"c":5}').toString("base64url")]) {
      expect(() => decodeExportCursor(bad, 3)).toThrow(/cursor/);
    }
  });
  it("moves to the next section when one is exhausted, and ends after the last", () => {
    expect(advance({ section: 0, inner: null }, "p2", 3)).toEqual({ section: 0, inner: "p2" });
    expect(advance({ section: 0, inner: "p2" }, null, 3)).toEqual({ section: 1, inner: null });
    expect(advance({ section: 2, inner: null }, null, 3)).toBeNull();
  });
});

describe("retention rules", () => {
  it("computes the cutoffs from the clock and the configured days", () => {
    const now = new Date("2026-11-22T00:00:00Z");
    expect(retentionCutoffs(now, 30, 7)).toEqual({ outputs: new Date("2026-10-23T00:00:00Z"), inputs: new Date("2026-11-15T00:00:00Z") });
  });
  it("expires outputs once, never a tombstone's, and releases only a held input", () => {
    const live = retentionFacts({ outputs: [{ path: "x" }], inputImage: { sha256: SHA } });
    expect(outputsDue(live)).toBe(true);
    expect(inputDue(live)).toBe(true);
    expect(outputsDue(retentionFacts({ outputs: [{ path: "x" }], outputsExpiredAt: new Date() }))).toBe(false);
    expect(outputsDue(retentionFacts({ outputs: [] }))).toBe(false);
    expect(inputDue(retentionFacts({ inputImage: null }))).toBe(false);
    const tomb = retentionFacts({ outputs: [{ path: "x" }], inputImage: { sha256: SHA }, deletedAt: new Date() });
    expect(outputsDue(tomb) || inputDue(tomb)).toBe(false);
  });
  it("treats an input object as expired only at or past the cutoff", () => {
    const cut = new Date("2026-11-15T00:00:00Z");
    expect(objectExpired(new Date("2026-11-14T23:59:59Z"), cut)).toBe(true);
    expect(objectExpired(new Date("2026-11-15T00:00:01Z"), cut)).toBe(false);
  });
  it("validates its configuration with zod, defaults 30 and 7 days", () => {
    expect(loadLifecycleConfig({})).toMatchObject({ OUTPUT_RETENTION_DAYS: 30, INPUT_RETENTION_DAYS: 7 });
    expect(() => loadLifecycleConfig({ OUTPUT_RETENTION_DAYS: "0" })).toThrow(/OUTPUT_RETENTION_DAYS/);
    expect(() => loadLifecycleConfig({ INPUT_RETENTION_DAYS: "seven" })).toThrow(/INPUT_RETENTION_DAYS/);
  });
});

describe("storage paths", () => {
  it("lists every per-user folder, custom-model ones included", () => {
    expect(userStoragePrefixes("u1")).toEqual(["generations/u1/", "inputs/u1/", "uploads/u1/", "training/u1/", "loras/u1/"]);
  });
  it("parses only content-addressed input paths", () => {
    expect(parseInputPath(`inputs/u1/${SHA}.png`)).toEqual({ uid: "u1", sha256: SHA });
    expect(parseInputPath(`inputs/u1/x/${SHA}.png`)).toBeNull();
    expect(parseInputPath("inputs/u1/photo.png")).toBeNull();
  });
});

describe("LocalStorage prefixes", () => {
  let root: string;
  let files: LocalStorage;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), "lifecycle-"));
    files = new LocalStorage(root, "secret-secret", "http://x/files");
    for (const p of ["inputs/u1/a.png", "inputs/u1/b.png", "inputs/u10/c.png", "generations/u1/r1/0.webp"]) await files.save(p, Buffer.from(p));
  });
  afterEach(() => fs.rm(root, { recursive: true, force: true }));

  it("removes a whole folder and nothing that merely shares its name's start", async () => {
    await files.removePrefix("inputs/u1/");
    await files.removePrefix("inputs/nobody/");
    const left = await files.list("inputs/", { maxResults: 10 });
    expect(left.items.map((i) => i.path)).toEqual(["inputs/u10/c.png"]);
  });
  it("refuses a prefix that is not a folder or escapes the root", async () => {
    await expect(files.removePrefix("inputs/u1")).rejects.toThrow(/prefix/);
    await expect(files.removePrefix("../")).rejects.toThrow(/unsafe/);
    await expect(files.removePrefix("/")).rejects.toThrow(/unsafe/);
  });
  it("lists in path order, page by page, each object once", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await files.list("inputs/", { maxResults: 2, pageToken: token });
      seen.push(...page.items.map((i) => i.path));
      for (const i of page.items) expect(Date.now() - i.updatedAt.getTime()).toBeLessThan(60_000);
      token = page.nextPageToken ?? undefined;
    } while (token);
    expect(seen).toEqual(["inputs/u1/a.png", "inputs/u1/b.png", "inputs/u10/c.png"]);
  });
});
