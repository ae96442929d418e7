// The file routes answer a browser's CORS preflight (the console PUTs photos to signed upload
// URLs from its own origin); the task routes do not, and the preflight needs no runner state.
import type { AddressInfo } from "node:net";
import type http from "node:http";
import { createHttpServer } from "../src/http/server";
import type { RunnerContext } from "../src/http/context";

let server: http.Server;
let base: string;
beforeAll(async () => {
  server = createHttpServer({} as RunnerContext);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const preflight = (path: string) => fetch(`${base}${path}`, {
  method: "OPTIONS", headers: { origin: "http://127.0.0.1:5000", "access-control-request-method": "PUT", "access-control-request-headers": "content-type" },
});

describe("CORS on the runner's file routes", () => {
  it("answers the preflight of a PUT to an upload URL: any origin, PUT, Content-Type", async () => {
    const res = await preflight("/files/uploads/u1/up_1?expires=1&bytes=1&sig=x");
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-methods")).toContain("PUT");
    expect(res.headers.get("access-control-allow-headers")).toContain("content-type");
  });

  it("gives the task routes no CORS answer", async () => {
    const res = await preflight("/tasks/generate");
    expect(res.status).toBe(405);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});
