// api.http is ready to run: sent top to bottom as VS Code REST Client sends it (against the
// emulators, with fresh accounts so seeded balances stay untouched), every request succeeds, and
// together they cover every endpoint in the registry. The JetBrains variants set the same names.
import fs from "node:fs";
import path from "node:path";
import { auth, createTestUser, functionsUrl } from "../../../test-support/emulator";
import { registeredEndpoints } from "../../src/openapi/registry";
import { parseHttpFile, resolve, send } from "./http-file";

const file = parseHttpFile(fs.readFileSync(path.join(__dirname, "..", "..", "..", "api.http"), "utf8"));
const isJetBrains = (title: string) => title.includes("(JetBrains)");
// Only Stripe can sign a webhook call: named here, sent signed by the billing tests and `npm run stripe:event`.
const onlyStripeSigns = (title: string) => title.includes("(signed by Stripe)");
// Needs a Stripe subscription first (a checkout paid on the stand-in's page): covered by the billing tests.
const afterSubscribing = (title: string) => title.includes("(after subscribing)");
const skipped = (title: string) => onlyStripeSigns(title) || afterSubscribing(title);

describe("api.http", () => {
  it("names every registered endpoint", () => {
    const named = new Set(file.requests.map((r) => /\{\{api\}\}\/(\w+)/.exec(r.url)?.[1]).filter(Boolean));
    expect([...named].sort()).toEqual(registeredEndpoints().map((e) => e.name).sort());
  });

  it("gives JetBrains the same variables VS Code reads from named responses", () => {
    const fromResponses = Object.entries(file.variables).filter(([, v]) => v.includes(".response.body.")).map(([k]) => k).sort();
    const setByHandlers = file.requests.flatMap((r) => [...(r.body ?? "").matchAll(/client\.global\.set\("(\w+)"/g)].map((m) => m[1])).sort();
    expect([...new Set(setByHandlers)].sort()).toEqual(fromResponses);
  });

  it("runs top to bottom in VS Code's way, every request answering 2xx", async () => {
    // createCheckoutSession reaches "Stripe": the local stand-in scripts/test.mjs runs.
    const [user, admin, superadmin, other] = await Promise.all([
      createTestUser({ credits: 5, prefix: "http" }), createTestUser({ credits: 0, role: "admin", prefix: "http" }),
      createTestUser({ credits: 0, role: "superadmin", prefix: "http" }), createTestUser({ credits: 0, prefix: "http" }),
    ]);
    // As in the seed, every account's email is verified (acceptInvitation needs the invited one's).
    await Promise.all([user, admin, superadmin, other].map((u) => auth().updateUser(u.uid, { emailVerified: true })));
    const vars = {
      ...file.variables,
      auth: `http://${process.env.FIREBASE_AUTH_EMULATOR_HOST}/identitytoolkit.googleapis.com/v1`,
      api: functionsUrl("").replace(/\/$/, ""),
      userEmail: user.email, adminEmail: admin.email, superEmail: superadmin.email, otherUser: other.uid,
    };
    const responses: Record<string, unknown> = {};
    const outcomes: string[] = [];
    for (const r of file.requests.filter((x) => !isJetBrains(x.title) && !skipped(x.title))) {
      const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, resolve(v, vars, responses)]));
      // VS Code sends whatever follows the headers, a JetBrains handler on a GET included.
      const res = await send(resolve(r.url, vars, responses), r.method, headers, r.body === undefined ? undefined : resolve(r.body, vars, responses));
      if (r.name) responses[r.name] = res.body;
      outcomes.push(`${res.status} ${r.title}${res.status < 300 ? "" : `: ${JSON.stringify(res.body)}`}`);
    }
    expect(outcomes.filter((o) => !o.startsWith("2"))).toEqual([]);
    expect(outcomes.length).toBe(file.requests.length - file.requests.filter((x) => isJetBrains(x.title)).length - file.requests.filter((x) => skipped(x.title)).length);
    // About 50 calls one after another, each a cold function start on a loaded machine at worst.
  }, 300_000);
});
