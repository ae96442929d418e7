import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, sendBytes, sendJson } from "./http-util";
import type { Engine } from "./engine";
import type { Faults } from "./faults";
import type { FileStore } from "./file-store";
import { objectInfoFixture, type NodeDef } from "./nodes";
import { validatePrompt } from "./validate";

export interface FakeDeps { engine: Engine; files: FileStore; faults: Faults; defs: () => Record<string, NodeDef> }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_UPLOAD = 100 * 1024 * 1024;

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  try {
    const v = JSON.parse((await readBody(req, 50 * 1024 * 1024)).toString("utf8") || "{}");
    return v && typeof v === "object" ? v : null;
  } catch {
    return null;
  }
}

export async function postPrompt(req: IncomingMessage, res: ServerResponse, d: FakeDeps): Promise<void> {
  const body = await jsonBody(req);
  if (!body) return sendJson(res, 400, { error: { type: "invalid_prompt", message: "Invalid JSON", details: "", extra_info: {} }, node_errors: {} });
  const promptId = body.prompt_id as string | undefined;
  if (promptId !== undefined && (typeof promptId !== "string" || !UUID.test(promptId)))
    return sendJson(res, 400, { error: { type: "invalid_prompt_id", message: "prompt_id must be a lowercase canonical UUID", details: String(promptId), extra_info: {} }, node_errors: {} });
  const v = validatePrompt(body.prompt, d.defs());
  if (!v.ok) return sendJson(res, 400, v.body);
  const number = d.engine.nextNumber();
  const id = promptId ?? crypto.randomUUID();
  d.engine.enqueue({
    number, promptId: id, prompt: body.prompt as never, outputs: v.outputs, fault: d.faults.take(),
    clientId: typeof body.client_id === "string" ? body.client_id : null, extraData: (body.extra_data as Record<string, unknown>) ?? {},
  });
  sendJson(res, 200, { prompt_id: id, number, node_errors: {} });
}

export function getHistory(res: ServerResponse, id: string, d: FakeDeps): void {
  const entry = d.engine.history.get(id);
  sendJson(res, 200, entry ? { [id]: entry } : {});
}

export async function postHistory(req: IncomingMessage, res: ServerResponse, d: FakeDeps): Promise<void> {
  const body = (await jsonBody(req)) ?? {};
  if (body.clear === true) d.engine.history.clear();
  if (Array.isArray(body.delete)) for (const id of body.delete) d.engine.history.delete(String(id));
  res.writeHead(200).end();
}

export function getView(url: URL, res: ServerResponse, d: FakeDeps): void {
  const filename = url.searchParams.get("filename") ?? "";
  const subfolder = url.searchParams.get("subfolder") ?? "";
  const type = url.searchParams.get("type") || "output";
  if (!filename || filename.startsWith("/") || filename.includes("..")) return void sendJson(res, 400, {});
  if (subfolder.startsWith("/") || subfolder.split("/").includes("..")) return void sendJson(res, 403, {});
  const bytes = d.files.get(type, subfolder, filename);
  if (!bytes) return void sendJson(res, 404, {});
  sendBytes(res, 200, bytes, "image/png", { "content-disposition": `filename="${filename}"` });
}

export async function uploadImage(req: IncomingMessage, res: ServerResponse, d: FakeDeps): Promise<void> {
  const raw = await readBody(req, MAX_UPLOAD);
  let form: FormData;
  try {
    form = await new Response(raw, { headers: { "content-type": req.headers["content-type"] ?? "" } }).formData();
  } catch {
    return sendJson(res, 400, {});
  }
  const file = form.get("image");
  if (!file || typeof file === "string") return sendJson(res, 400, {});
  const subfolder = String(form.get("subfolder") ?? "");
  const overwrite = ["true", "1"].includes(String(form.get("overwrite") ?? ""));
  const name = d.files.upload(file.name || "image.png", subfolder, Buffer.from(await file.arrayBuffer()), overwrite);
  if (name === null) return sendJson(res, 400, {});
  sendJson(res, 200, { name, subfolder, type: String(form.get("type") || "input") });
}

const queueRow = (i: Engine["pending"][number]) => [i.number, i.promptId, i.prompt, i.extraData, i.outputs];

export function getQueue(res: ServerResponse, d: FakeDeps): void {
  const running = d.engine.running;
  sendJson(res, 200, { queue_running: running ? [queueRow(running)] : [], queue_pending: d.engine.pending.map(queueRow) });
}

export async function postQueue(req: IncomingMessage, res: ServerResponse, d: FakeDeps): Promise<void> {
  const body = (await jsonBody(req)) ?? {};
  if (body.clear === true) d.engine.deletePending("all");
  if (Array.isArray(body.delete)) d.engine.deletePending(body.delete.map(String));
  res.writeHead(200).end();
}

export async function postInterrupt(req: IncomingMessage, res: ServerResponse, d: FakeDeps): Promise<void> {
  const body = (await jsonBody(req)) ?? {};
  d.engine.interrupt(typeof body.prompt_id === "string" ? body.prompt_id : undefined);
  res.writeHead(200).end();
}

export function systemStats(res: ServerResponse): void {
  sendJson(res, 200, {
    system: { os: "posix", ram_total: 34359738368, ram_free: 17179869184, comfyui_version: objectInfoFixture().comfyui_version, python_version: "3.12", pytorch_version: "fake", embedded_python: false, argv: ["main.py"] },
    devices: [{ name: "cuda:0 Fake GPU", type: "cuda", index: 0, vram_total: 25769803776, vram_free: 23622320128, torch_vram_total: 0, torch_vram_free: 0 }],
  });
}
