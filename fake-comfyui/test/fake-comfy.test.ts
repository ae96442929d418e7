import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import WebSocket from "ws";
import { renderWorkflow } from "../../gpu-runner/src/comfy/render-workflow";
import { loadTemplates } from "../../gpu-runner/src/comfy/templates";
import { startFakeComfy, type FakeComfy } from "../src/server";

const templates = loadTemplates(path.join(__dirname, "..", "..", "gpu-runner", "workflows"));
const wf = () => renderWorkflow(templates.get("txt2img")!, { positivePrompt: "p", negativePrompt: "", seed: 1, steps: 3, cfg: 7, width: 32, height: 32, batchSize: 1, filenamePrefix: "f/x" });

describe("fake ComfyUI protocol", () => {
  let fake: FakeComfy;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(fake.url + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json().catch(() => null)) as any };
  };
  beforeAll(async () => (fake = await startFakeComfy({ port: 0, imageMs: 30 })));
  afterAll(() => fake.close());

  it("answers 400 with ComfyUI's error and node_errors shapes", async () => {
    const unknown = await post("/prompt", { prompt: { ...wf(), "4": { class_type: "NopeLoader", inputs: {} } } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ type: "missing_node_type", message: expect.stringContaining("NopeLoader") });

    const missing = wf();
    delete missing["3"].inputs.steps;
    missing["8"].inputs.vae = ["99", 0];
    const bad = await post("/prompt", { prompt: missing });
    expect(bad.status).toBe(400);
    expect(bad.body.error.type).toBe("prompt_outputs_failed_validation");
    expect(bad.body.node_errors["3"]).toMatchObject({ class_type: "KSampler", dependent_outputs: ["9"], errors: [{ type: "required_input_missing", details: "steps" }] });
    expect(bad.body.node_errors["8"].errors[0].type).toBe("bad_linked_input");

    expect((await post("/prompt", { prompt: wf(), prompt_id: "NOT-A-UUID" })).body.error.type).toBe("invalid_prompt_id");
    expect((await post("/prompt", { prompt: {} })).body.error.type).toBe("prompt_no_outputs");
    const noOutputs = await post("/prompt", {});
    expect(noOutputs.body.error.type).toBe("no_prompt");
  });

  it("validates like the pinned tag: its object_info fixture, optional inputs, real seed range, node_errors {} for a bad prompt_id", async () => {
    const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "object_info.v0.16.2.json"), "utf8"));
    const info = (await (await fetch(`${fake.url}/object_info`)).json()) as any;
    expect(Object.keys(info).sort()).toEqual(Object.keys(fixture.nodes).sort());
    expect(info.TrainLoraNode.input.required.quantized_backward).toEqual(["BOOLEAN", { default: false }]);
    expect(info.KSampler.input.required.seed[1].max).toBe(2 ** 64 - 1);
    expect(((await (await fetch(`${fake.url}/system_stats`)).json()) as any).system.comfyui_version).toBe(fixture.comfyui_version);

    const bigSeed = wf();
    bigSeed["3"].inputs.seed = 2 ** 63;
    bigSeed["9"].inputs.filename_prefix = "seed/x";
    const accepted = await post("/prompt", { prompt: bigSeed });
    expect(accepted.status).toBe(200);
    // Let it finish so the next test sees an idle queue.
    while (!Object.keys((await (await fetch(`${fake.url}/history/${accepted.body.prompt_id}`)).json()) as object).length) await new Promise((r) => setTimeout(r, 20));

    // A training graph whose optional SaveLoRA.steps is linked to the LOSS_MAP output: refused.
    const train = renderWorkflow(templates.get("train-lora")!, { trainingFolder: "", loraPrefix: "loras/t", steps: 3, seed: 1 });
    (train["7"].inputs as any).steps = ["6", 1];
    const bad = await post("/prompt", { prompt: train });
    expect(bad.status).toBe(400);
    expect(bad.body.node_errors["7"].errors).toEqual(expect.arrayContaining([expect.objectContaining({ type: "return_type_mismatch", details: expect.stringContaining("steps") })]));

    const badId = await post("/prompt", { prompt: wf(), prompt_id: "NOT-A-UUID" });
    expect(badId.body).toMatchObject({ error: { type: "invalid_prompt_id" }, node_errors: {} });
  });

  it("routes events to the prompt's client only, ends with executing null, then history is set", async () => {
    const open = (id: string) => new Promise<{ ws: WebSocket; msgs: { type: string; data: Record<string, unknown> }[] }>((resolve) => {
      const ws = new WebSocket(`${fake.url.replace("http", "ws")}/ws?clientId=${id}`);
      const msgs: { type: string; data: Record<string, unknown> }[] = [];
      ws.on("message", (m) => msgs.push(JSON.parse(m.toString())));
      ws.on("open", () => resolve({ ws, msgs }));
    });
    const mine = await open("client-a");
    const other = await open("client-b");
    const promptId = randomUUID();
    const done = new Promise<void>((resolve) => mine.ws.on("message", (m) => {
      const msg = JSON.parse(m.toString());
      if (msg.type === "executing" && msg.data.node === null) resolve();
    }));
    const res = await post("/prompt", { prompt: wf(), prompt_id: promptId, client_id: "client-a" });
    expect(res.body).toEqual({ prompt_id: promptId, number: expect.any(Number), node_errors: {} });
    await done;
    const types = mine.msgs.map((m) => m.type).filter((t) => t !== "status");
    expect(types.slice(0, 2)).toEqual(["execution_start", "execution_cached"]);
    expect(types.filter((t) => t === "progress")).toHaveLength(3);
    expect(types.slice(-3)).toEqual(["executed", "execution_success", "executing"]);
    expect(mine.msgs[0]).toMatchObject({ type: "status", data: { sid: "client-a" } });
    expect(other.msgs.map((m) => m.type).every((t) => t === "status")).toBe(true);
    const hist = ((await (await fetch(`${fake.url}/history/${promptId}`)).json() as any))[promptId];
    expect(hist.status).toMatchObject({ status_str: "success", completed: true });
    expect(hist.outputs["9"].images[0]).toEqual({ filename: "x_00001_.png", subfolder: "f", type: "output" });
    const view = await fetch(`${fake.url}/view?filename=x_00001_.png&subfolder=f&type=output`);
    expect([view.status, view.headers.get("content-type")]).toEqual([200, "image/png"]);
    expect((await fetch(`${fake.url}/view?filename=../x&type=output`)).status).toBe(400);
    mine.ws.close();
    other.ws.close();
  });

  it("answers {} for unknown history, and the queue/prompt/system routes", async () => {
    expect((await (await fetch(`${fake.url}/history/${randomUUID()}`)).json() as any)).toEqual({});
    expect((await (await fetch(`${fake.url}/queue`)).json() as any)).toEqual({ queue_running: [], queue_pending: [] });
    expect((await (await fetch(`${fake.url}/api/prompt`)).json() as any)).toEqual({ exec_info: { queue_remaining: 0 } });
    expect(((await (await fetch(`${fake.url}/system_stats`)).json() as any)).devices[0].type).toBe("cuda");
    expect(Object.keys((await (await fetch(`${fake.url}/object_info`)).json() as any))).toContain("KSampler");
  });

  it("refuses ComfyUI routes but keeps the control route up", async () => {
    expect((await post("/fake/faults", { mode: "refuse" })).status).toBe(200);
    await expect(fetch(`${fake.url}/system_stats`)).rejects.toThrow();
    expect((await post("/fake/faults", { mode: "bogus" })).status).toBe(400);
    expect((await post("/fake/faults", { mode: "none" })).body).toMatchObject({ mode: "none" });
    expect((await fetch(`${fake.url}/system_stats`)).status).toBe(200);
  });

  it("sends executing {node: null} after a failed prompt too, after writing history", async () => {
    const ws = new WebSocket(`${fake.url.replace("http", "ws")}/ws?clientId=client-fail`);
    await new Promise((r) => ws.on("open", r));
    const promptId = randomUUID();
    const ended = new Promise<boolean>((resolve) => ws.on("message", async (m) => {
      const msg = JSON.parse(m.toString());
      if (msg.type === "executing" && msg.data.node === null && msg.data.prompt_id === promptId)
        resolve(Object.keys((await (await fetch(`${fake.url}/history/${promptId}`)).json()) as object).length === 1);
    }));
    await post("/fake/faults", { mode: "execution_error", count: 1 });
    const failing = wf();
    failing["9"].inputs.filename_prefix = "fail/x";
    expect((await post("/prompt", { prompt: failing, prompt_id: promptId, client_id: "client-fail" })).status).toBe(200);
    expect(await ended).toBe(true);
    ws.close();
  });

  it("worker_dead: HTTP answers, the prompt stays in queue_running with no more events, later prompts wait; a restart heals", async () => {
    await post("/fake/faults", { mode: "worker_dead", count: 1 });
    const dead = wf();
    dead["9"].inputs.filename_prefix = "dead/x";
    const a = (await post("/prompt", { prompt: dead })).body.prompt_id;
    const b = (await post("/prompt", { prompt: { ...dead, "9": { ...dead["9"], inputs: { ...dead["9"].inputs, filename_prefix: "dead/y" } } } })).body.prompt_id;
    const queue = async () => (await (await fetch(`${fake.url}/queue`)).json()) as any;
    while ((await queue()).queue_running[0]?.[1] !== a) await new Promise((r) => setTimeout(r, 20));
    await post("/interrupt", { prompt_id: a });
    expect((await queue()).queue_running.map((i: any[]) => i[1])).toEqual([a]);
    expect((await queue()).queue_pending.map((i: any[]) => i[1])).toEqual([b]);
    expect((await fetch(`${fake.url}/system_stats`)).status).toBe(200);
    await post("/fake/restart", {});
    expect(await queue()).toEqual({ queue_running: [], queue_pending: [] });
  });

  it("hard_hang: the prompt ignores interrupts until a restart", async () => {
    await post("/fake/faults", { mode: "hard_hang", count: 1 });
    const hung = wf();
    hung["9"].inputs.filename_prefix = "hung/x";
    const id = (await post("/prompt", { prompt: hung })).body.prompt_id;
    const running = async () => ((await (await fetch(`${fake.url}/queue`)).json()) as any).queue_running.map((i: any[]) => i[1]);
    // Between nodes the interrupt flag still works: interrupt once the step is really stuck.
    while (!fake.engine.stuck) await new Promise((r) => setTimeout(r, 20));
    expect(await running()).toEqual([id]);
    await post("/interrupt", { prompt_id: id });
    await post("/interrupt", {});
    expect(fake.engine.interrupts).toContain(id);
    expect(await running()).toEqual([id]);
    await post("/fake/restart", {});
    while ((await running()).length) await new Promise((r) => setTimeout(r, 20));
    expect(Object.keys((await (await fetch(`${fake.url}/history/${id}`)).json()) as object)).toEqual([]);
  });

  it("realReconnect: a second socket with the same clientId is unregistered when the first one closes, as in real ComfyUI", async () => {
    await post("/fake/faults", { realReconnect: true });
    const open = () => new Promise<{ ws: WebSocket; types: string[] }>((resolve) => {
      const ws = new WebSocket(`${fake.url.replace("http", "ws")}/ws?clientId=twice`);
      const types: string[] = [];
      ws.on("message", (m) => types.push(JSON.parse(m.toString()).type));
      ws.on("open", () => resolve({ ws, types }));
    });
    const first = await open();
    const second = await open();
    expect(first.ws.readyState).toBe(WebSocket.OPEN); // not closed by the server
    await new Promise((r) => (first.ws.once("close", r), first.ws.close()));
    while (fake.hub["sockets"].has("twice")) await new Promise((r) => setTimeout(r, 10));
    const twice = wf();
    twice["9"].inputs.filename_prefix = "twice/x";
    const { prompt_id } = (await post("/prompt", { prompt: twice, client_id: "twice" })).body;
    while (!Object.keys((await (await fetch(`${fake.url}/history/${prompt_id}`)).json()) as object).length) await new Promise((r) => setTimeout(r, 20));
    expect(second.types.filter((t) => t.startsWith("execut") || t === "progress")).toEqual([]);
    second.ws.close();
    await post("/fake/faults", { realReconnect: false });
  });

  it("accepts a partial fault update and keeps the current mode (docs/custom-models.md: POST /fake/faults {stepMs})", async () => {
    expect((await post("/fake/faults", { mode: "execution_error", count: 2 })).status).toBe(200);
    const partial = await post("/fake/faults", { stepMs: 1234 });
    expect(partial.status).toBe(200);
    expect(partial.body).toMatchObject({ mode: "execution_error", count: 2, stepMs: 1234 });
    expect((await post("/fake/faults", {})).body).toMatchObject({ mode: "execution_error", stepMs: 1234 });
    expect((await post("/fake/faults", { stepMs: -1 })).status).toBe(400);
    expect((await post("/fake/faults", { mode: "none" })).body).toMatchObject({ mode: "none", count: null, stepMs: 1234 });
  });
});
