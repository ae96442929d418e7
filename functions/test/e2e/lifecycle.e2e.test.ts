// Data lifecycle through the whole loop (Tasks emulator → runner → fake ComfyUI): a real output
// downloads, then after deleteGenerationRequest its URL answers 404 from the runner's /files;
// eraseUser on a job the runner is executing ends it, the runner interrupts ComfyUI when its lease
// checks fail, the job is refunded once and no output is ever stored.
import { callFunction, createTestUser, db, ledgerState, signIn } from "../../../test-support/emulator";
import { userStoragePrefixes } from "../../src/lifecycle/paths";
import { filesUnder } from "../lifecycle/fixtures";
import { oneRunnerStack, terminal, until } from "./stack";

const CAT = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "A cat in space" };
const stack = oneRunnerStack("lifecycle-runner");
afterEach(() => stack.fake.faults.set({ mode: "none", imageMs: 30 }));

async function create(token: string): Promise<string> {
  const res = await callFunction("createGenerationRequest", { token, body: CAT });
  expect(res.status).toBe(201);
  return res.body.generationRequestId;
}

describe("data lifecycle end to end", () => {
  it("a generated output downloads until the request is deleted, then its URLs answer 404", async () => {
    const u = await createTestUser({ credits: 5, prefix: "lc" });
    const id = await create(u.token);
    expect((await terminal(id)).status).toBe("succeeded");
    const view = await callFunction("getGenerationRequest", { token: u.token, query: { id } });
    const urls = [view.body.outputs[0].url, view.body.outputs[0].thumbnailUrl];
    expect(await Promise.all(urls.map(async (url) => (await fetch(url)).status))).toEqual([200, 200]);
    expect((await callFunction("deleteGenerationRequest", { token: u.token, body: { id } })).status).toBe(200);
    expect(await Promise.all(urls.map(async (url) => (await fetch(url)).status))).toEqual([404, 404]);
    const state = await ledgerState(u.uid);
    expect([state.credits, state.ledgerSum]).toEqual([4, 4]);
  });

  it("erasing a user whose job is running interrupts it on the GPU, refunds it once, and stores nothing", async () => {
    stack.fake.faults.set({ mode: "none", imageMs: 60_000 });
    const u = await createTestUser({ credits: 5, prefix: "lc" });
    const id = await create(u.token);
    const ref = db().doc(`generationRequests/${id}`);
    const promptId = await until("job running in ComfyUI", async () => {
      const d = (await ref.get()).data();
      return d?.status === "running" && d.comfy?.promptId && stack.fake.engine.running?.promptId === d.comfy.promptId ? (d.comfy.promptId as string) : undefined;
    });
    const erased = await callFunction("eraseUser", { token: await signIn("superadmin@example.com"), body: { userId: u.uid, reason: "e2e: erase mid-job" } });
    expect(erased.status).toBe(200);
    // The runner's next lease renewal fails (the job is no longer running), so it interrupts ComfyUI.
    await until("the runner to interrupt the prompt", async () => (stack.fake.engine.interrupts.includes(promptId) ? true : undefined));
    const done = await terminal(id);
    expect(done).toMatchObject({ status: "failed", refunded: true, error: { code: "USER_ERASED" }, outputs: [] });
    const state = await ledgerState(u.uid);
    expect(state.entries.filter((e: any) => e.type === "refund")).toHaveLength(1);
    expect([state.credits, state.ledgerSum]).toEqual([5, 5]);
    expect(userStoragePrefixes(u.uid).flatMap(filesUnder)).toEqual([]);
  });
});
