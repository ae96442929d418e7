// The emulator's signed PUT route: what it decides before reading a body (routes/uploads.ts).
import { checkUpload, signUpload } from "../src/http/routes/uploads";
import { signLocalUpload } from "../../functions/src/storage/storage";

const SECRET = "dev-storage-secret";
const PATH = "uploads/u1/up_1";
const now = Date.parse("2026-11-22T12:00:00Z");
const expires = now / 1000 + 600;
const q = (over: Record<string, string> = {}) => new URLSearchParams({ expires: String(expires), bytes: "100", sig: signUpload(SECRET, PATH, "image/png", 100, expires), ...over });
const headers = { contentType: "image/png", contentLength: "100" };

describe("checkUpload", () => {
  it("signs exactly as the functions do", () => {
    expect(signUpload(SECRET, PATH, "image/png", 100, expires)).toBe(signLocalUpload(SECRET, PATH, "image/png", 100, expires));
  });
  it("accepts the signed path, type and length before expiry", () => {
    expect(checkUpload(SECRET, PATH, q(), headers, now)).toEqual({ ok: true, bytes: 100 });
  });
  it("refuses another content type, size or path (403), a wrong Content-Length (400), an expired URL (403)", () => {
    expect(checkUpload(SECRET, PATH, q(), { ...headers, contentType: "image/jpeg" }, now)).toMatchObject({ ok: false, status: 403 });
    expect(checkUpload(SECRET, PATH, q({ bytes: "101" }), { ...headers, contentLength: "101" }, now)).toMatchObject({ ok: false, status: 403 });
    expect(checkUpload(SECRET, "uploads/u2/up_1", q(), headers, now)).toMatchObject({ ok: false, status: 403 });
    expect(checkUpload(SECRET, "generations/u1/x", q(), headers, now)).toMatchObject({ ok: false, status: 403, message: "uploads only" });
    expect(checkUpload(SECRET, PATH, q(), { ...headers, contentLength: "99" }, now)).toMatchObject({ ok: false, status: 400 });
    expect(checkUpload(SECRET, PATH, q(), headers, now + 601_000)).toMatchObject({ ok: false, status: 403, message: "upload URL expired" });
  });
  it("refuses a GET signature for a PUT (domain separation)", () => {
    const { createHmac } = require("node:crypto");
    const getSig = createHmac("sha256", SECRET).update(`${PATH}\n${expires}`).digest("hex");
    expect(checkUpload(SECRET, PATH, q({ sig: getSig }), headers, now)).toMatchObject({ ok: false, status: 403 });
  });
});
