import path from "node:path";
import { ComfyHttp } from "../src/comfy/http-client";
import { renderWorkflow } from "../src/comfy/render-workflow";
import { loadTemplates } from "../src/comfy/templates";
import { startWatchdog, watchStep } from "../src/comfy/watchdog";
import { startFakeComfy, type FakeComfy } from "../../fake-comfyui/src/server";
import { quietLogger } from "./helpers";

const templates = loadTemplates(path.join(__dirname, "..", "workflows"));
const workflow = () => renderWorkflow(templates.get("txt2img")!, { positivePrompt: "p", negativePrompt: "", seed: 1, steps: 4, cfg: 7, width: 32, height: 32, batchSize: 1, filenamePrefix: `w/${Date.now()}` });

describe("ComfyUI watchdog", () => {
  it("flags one prompt holding the worker with no event for the stall time, and nothing else", () => {
    const s0 = { promptId: null, since: 0 };
    expect(watchStep(s0, null, 0, 10_000, 1000).stalled).toBeNull();
    const a = watchStep(s0, "p1", 0, 1000, 5000);
    expect(a).toEqual({ state: { promptId: "p1", since: 1000 }, stalled: null });
    expect(watchStep(a.state, "p1", 4000, 8000, 5000).stalled).toBeNull(); // an event 4 s ago
    expect(watchStep(a.state, "p1", 500, 6000, 5000).stalled).toMatch(/prompt p1 has held ComfyUI's worker for 5 s/);
    expect(watchStep(a.state, "p2", 500, 6000, 5000).stalled).toBeNull(); // another prompt: the clock restarts
  });

  describe("against the fake ComfyUI", () => {
    let fake: FakeComfy;
    beforeAll(async () => (fake = await startFakeComfy({ port: 0, imageMs: 20 })));
    afterAll(() => fake.close());

    const run = async (comfy: ComfyHttp, stallMs: number) => {
      let stop = () => undefined as void;
      const reason = await new Promise<string>((resolve) => {
        const w = startWatchdog(comfy, quietLogger(), { intervalMs: 30, stallMs, onStuck: resolve });
        stop = w.stop;
      });
      stop();
      return reason;
    };

    it("a dead worker thread (HTTP still answering) fails readiness and triggers the restart", async () => {
      fake.faults.set({ mode: "worker_dead", count: 1 });
      const comfy = new ComfyHttp(fake.url);
      const { prompt_id } = await comfy.submitPrompt(workflow(), crypto.randomUUID(), "c1");
      const reason = await run(comfy, 300);
      expect(reason).toMatch(new RegExp(`prompt ${prompt_id} has held ComfyUI's worker`));
      expect(comfy.health.stuck).toBe(reason);
      fake.engine.restart();
    });

    it("a prompt already known stuck (its interrupt was ignored) triggers at once", async () => {
      const comfy = new ComfyHttp(fake.url);
      comfy.health.markStuck("prompt x still running 30 s after its interrupt");
      expect(await run(comfy, 60_000)).toBe("prompt x still running 30 s after its interrupt");
    });
  });
});
