// Issue 12 item 6: every id a client sends is one Firestore path segment or a 400. Before the
// fix, `id=a/b` and crafted cursors were 500s and a grant's userId could address a ledger entry.
import { callFunction, createTestUser, db, ledgerState, signIn } from "../../../test-support/emulator";

const cursorWith = (id: string) => Buffer.from(JSON.stringify({ s: 1, n: 0, id })).toString("base64url");

let user: { uid: string; token: string };
let admin: string;
let superadmin: string;
beforeAll(async () => {
  user = await createTestUser({ credits: 5, prefix: "ids" });
  admin = await signIn("admin@example.com");
  superadmin = await signIn("superadmin@example.com");
});

it.each([
  ["getGenerationRequest", { id: "a/b" }],
  ["getGenerationRequest", { id: ".." }],
  ["getGenerationRequest", { id: "__name__" }],
  ["getGenerationRequest", { id: "x".repeat(129) }],
  ["listGenerationRequests", { cursor: cursorWith("a/b") }],
  ["listGenerationRequests", { cursor: cursorWith("..") }],
  ["getUserCredits", { cursor: cursorWith("victim/ledger/x") }],
  ["listGenerationRequests", { userId: "a/b" }],
])("%s %j → 400 INVALID_ARGUMENT", async (name, query) => {
  const res = await callFunction(name, { token: admin, query });
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 400, code: "INVALID_ARGUMENT" });
});

it("cancelGenerationRequest with a slash in the id is 400", async () => {
  const res = await callFunction("cancelGenerationRequest", { token: user.token, body: { id: "generationRequests/x" } });
  expect(res.status).toBe(400);
});

it("grantCredits cannot address a document below a user: 400 and nothing written", async () => {
  const created = await callFunction("createGenerationRequest", { token: user.token, body: { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "ids" } });
  expect(created.status).toBe(201);
  const debitPath = `${user.uid}/ledger/debit-${created.body.generationRequestId}`;
  const before = (await db().doc(`users/${debitPath}`).get()).data();
  const res = await callFunction("grantCredits", { token: admin, body: { userId: debitPath, amount: 5, reason: "path injection" } });
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 400, code: "INVALID_ARGUMENT" });
  expect((await db().doc(`users/${debitPath}`).get()).data()).toEqual(before);
  expect((await db().collection(`users/${debitPath}/ledger`).get()).size).toBe(0);
  const state = await ledgerState(user.uid);
  expect(state.credits).toBe(state.ledgerSum);
});

it.each([
  ["setUserRole", { userId: "a/b", role: "admin", reason: "path" }],
  ["createApiKey", { userId: "a/b", name: "k" }],
])("%s with a slash in userId is 400", async (name, body) => {
  const res = await callFunction(name, { token: superadmin, body });
  expect(res.status).toBe(400);
});
