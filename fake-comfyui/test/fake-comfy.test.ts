import { randomUUID } from "node:crypto";
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
});
