// Issue 12 item 11: delivery-time checks. A name is resolved by the connection itself, every
// address must be public, the socket goes to the address checked, and the answer is read up to
// a cap. No DNS is needed: resolvers are injected.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { EgressRefused, isBlockedAddress, postOut, type Resolver } from "../../src/webhooks/egress";

const opts = { allowPrivate: false, timeoutMs: 5000, maxBodyBytes: 64 * 1024 };
const resolver = (map: Record<string, string[]>): Resolver => async (host) => (map[host] ?? []).map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

describe("isBlockedAddress", () => {
  it.each(["127.0.0.1", "10.1.2.3", "169.254.169.254", "100.100.100.200", "::1", "::7f00:1", "::ffff:127.0.0.1", "64:ff9b::a00:1", "fe90::1", "febf::ffff", "fc00::1", "ff02::1", "0.0.0.0", "not-an-ip"])(
    "blocks %s", (a) => expect(isBlockedAddress(a)).toBe(true));
  it.each(["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e"])("allows %s", (a) => expect(isBlockedAddress(a)).toBe(false));
});

describe("postOut (deployed rules)", () => {
  it("refuses a public-looking name that resolves to a private address, before connecting", async () => {
    await expect(postOut("https://hooks.example.com/x", {}, "{}", { ...opts, resolve: resolver({ "hooks.example.com": ["10.0.0.5"] }) })).rejects.toBeInstanceOf(EgressRefused);
  });

  it("refuses when any of the name's addresses is private (a rebinding pair)", async () => {
    await expect(postOut("https://hooks.example.com/x", {}, "{}", { ...opts, resolve: resolver({ "hooks.example.com": ["93.184.216.34", "127.0.0.1"] }) })).rejects.toThrow(/non-public/);
  });

  it("refuses private literals and internal names in any spelling without a lookup", async () => {
    for (const url of ["https://[::7f00:1]/x", "https://metadata.google.internal./x", "https://LOCALHOST./x", "https://169.254.169.254/x"]) {
      await expect(postOut(url, {}, "{}", { ...opts, resolve: async () => { throw new Error("must not resolve"); } })).rejects.toBeInstanceOf(EgressRefused);
    }
  });
});

describe("postOut (transport)", () => {
  let server: http.Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits++;
      req.resume();
      res.writeHead(200, { "content-type": "application/octet-stream" });
      // 8 MiB of answer: the sender must stop reading at its cap.
      const chunk = Buffer.alloc(64 * 1024, 1);
      let sent = 0;
      const pump = () => {
        while (sent < 128 && res.write(chunk)) sent++;
        if (sent < 128) res.once("drain", pump);
        else res.end();
      };
      pump();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it("reads at most the cap of a large answer", async () => {
    const res = await postOut(`http://127.0.0.1:${port}/hook`, {}, "{}", { ...opts, allowPrivate: true });
    expect(res.status).toBe(200);
    expect(res.bytesRead).toBeGreaterThanOrEqual(opts.maxBodyBytes);
    expect(res.bytesRead).toBeLessThan(8 * 1024 * 1024);
  });

  it("connects to the address its lookup checked, not to a fresh resolution of the name", async () => {
    // `receiver.test` exists in no DNS: the request can only arrive through the checked lookup.
    const before = hits;
    const check = { ...opts, resolve: resolver({ "receiver.test": ["127.0.0.1"] }) };
    await expect(postOut(`http://receiver.test:${port}/hook`, {}, "{}", check)).rejects.toThrow(/non-public/);
    expect(hits).toBe(before);
  });
});
