// hold()/release(): tests make "the prompt is still running" a state they control instead of a
// race against imageMs.
import path from "node:path";
import { renderWorkflow } from "../../gpu-runner/src/comfy/render-workflow";
import { loadTemplates } from "../../gpu-runner/src/comfy/templates";
import { until } from "../../test-support/wait";
import { startFakeComfy, type FakeComfy } from "../src/server";

const templates = loadTemplates(path.join(__dirname, "..", "..", "gpu-runner", "workflows"));
const wf = () => renderWorkflow(templates.get("txt2img")!, { positivePrompt: "p", negativePrompt: "", seed: 1, steps: 3, cfg: 7, width: 32, height: 32, batchSize: 1, filenamePrefix: "hold/x" });

let fake: FakeComfy;
beforeAll(async () => (fake = await startFakeComfy({ port: 0, imageMs: 1 })));
afterAll(() => fake.close());

it("a held prompt runs up to its last step and finishes only once released", async () => {
  fake.engine.hold();
  const res = await fetch(`${fake.url}/prompt`, { method: "POST", body: JSON.stringify({ prompt: wf() }) });
  const { prompt_id: id } = (await res.json()) as { prompt_id: string };
  await until("the prompt running", async () => (fake.engine.running?.promptId === id ? true : undefined), 10_000, 5);
  // Many times its whole GPU time later, it is still running.
  await new Promise((r) => setTimeout(r, 50));
  expect([fake.engine.running?.promptId, fake.engine.history.has(id)]).toEqual([id, false]);
  fake.engine.release();
  await until("the prompt in history", async () => (fake.engine.history.has(id) ? true : undefined), 10_000, 5);
  expect(fake.engine.running).toBeNull();
});

it("an interrupt ends a held prompt", async () => {
  fake.engine.hold();
  const res = await fetch(`${fake.url}/prompt`, { method: "POST", body: JSON.stringify({ prompt: wf() }) });
  const { prompt_id: id } = (await res.json()) as { prompt_id: string };
  await until("the prompt running", async () => (fake.engine.running?.promptId === id ? true : undefined), 10_000, 5);
  fake.engine.interrupt(id);
  await until("the prompt ended", async () => (fake.engine.running === null ? true : undefined), 10_000, 5);
  expect(fake.engine.interrupts).toContain(id);
  fake.engine.release();
});
