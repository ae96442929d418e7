import fs from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { readBody, sendJson } from "./http-util";
import { Engine } from "./engine";
import { Faults, faultsSchema } from "./faults";
import { FileStore } from "./file-store";
import { nodeDefs } from "./nodes";
import * as r from "./routes";
import { WsHub } from "./ws-hub";

export interface FakeComfy {
  url: string;
  port: number;
  engine: Engine;
  faults: Faults;
  hub: WsHub;
  /** Its input/output/temp folders on disk (ComfyUI's base directory). */
  files: FileStore;
  close(): Promise<void>;
}

export interface FakeComfyOptions {
  port?: number;
  host?: string;
  imageMs?: number;
  /** ComfyUI's base directory (input/, output/, temp/); a fresh temporary one, removed on close, if omitted. */
  baseDir?: string;
  /** Node classes left out of /object_info and validation, to play a ComfyUI without some custom node. */
  withoutNodes?: string[];
}

/** Starts the fake ComfyUI; port 0 picks a free one (tests). */
export async function startFakeComfy(opts: FakeComfyOptions = {}): Promise<FakeComfy> {
  const ownDir = opts.baseDir ? null : fs.mkdtempSync(path.join(os.tmpdir(), "fake-comfy-"));
  const files = new FileStore(opts.baseDir ?? ownDir!);
  const faults = new Faults(opts.imageMs ?? 300);
  let engine: Engine;
  const hub = new WsHub((sid) => {
    hub.send(sid, "status", { status: { exec_info: { queue_remaining: engine.queueRemaining() } }, sid });
    if (engine.running?.clientId === sid && engine.currentNode) hub.send(sid, "executing", { node: engine.currentNode });
  });
  engine = new Engine(hub, files, faults);
  const hidden = new Set(opts.withoutNodes ?? []);
  const defs = () => Object.fromEntries(Object.entries(nodeDefs({ inputFiles: () => files.list("input"), inputFolders: () => files.listInputFolders(), loras: () => files.listLoras() })).filter(([name]) => !hidden.has(name)));
  const deps: r.FakeDeps = { engine, files, faults, defs };

  const server = http.createServer((req, res) => {
    handle(req, res, deps, hub).catch((e) => {
      if (!res.headersSent) sendJson(res, 500, { error: String((e as Error).message) });
    });
  });
  server.on("upgrade", (req, socket, head) => {
    const path = new URL(req.url ?? "/", "http://x").pathname.replace(/^\/api(?=\/)/, "");
    if (faults.refusing || path !== "/ws") return void socket.destroy();
    hub.handleUpgrade(req, socket, head);
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 8188, opts.host ?? "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`, port, engine, faults, hub, files,
    close: async () => {
      engine.stop();
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownDir) fs.rmSync(ownDir, { recursive: true, force: true });
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, d: r.FakeDeps, hub: WsHub): Promise<void> {
  const url = new URL(req.url ?? "/", "http://x");
  const method = req.method ?? "GET";
  if (url.pathname === "/fake/faults" && method === "POST") {
    const parsed = faultsSchema.safeParse(JSON.parse((await readBody(req, 10_000)).toString() || "null"));
    if (!parsed.success) return sendJson(res, 400, { error: parsed.error.issues });
    d.faults.set(parsed.data);
    if (parsed.data.realReconnect !== undefined) hub.realReplacement = parsed.data.realReconnect;
    if (d.faults.refusing) hub.dropAll();
    return sendJson(res, 200, d.faults.snapshot());
  }
  if (url.pathname === "/fake/restart" && method === "POST") {
    d.engine.restart();
    return sendJson(res, 200, { restarted: true });
  }
  if (url.pathname === "/fake/state" && method === "GET") {
    const e = d.engine;
    return sendJson(res, 200, { faults: d.faults.snapshot(), interrupts: e.interrupts, prompts: e.accepted.map((i) => ({ prompt_id: i.promptId, client_id: i.clientId })), wsDropped: hub.dropped, samplerPasses: e.samplerPasses });
  }
  // Not a ComfyUI route: the execution log benchmarks read to measure GPU busy time and gaps.
  if (url.pathname === "/fake/executions" && method === "GET") return sendJson(res, 200, { executions: d.engine.executions });
  // "Connection refused" as the runner sees it: the socket dies without an answer.
  if (d.faults.refusing) return void req.socket.destroy();
  const path = url.pathname.replace(/^\/api(?=\/)/, "");
  const key = `${method} ${path}`;
  if (key === "POST /prompt") return r.postPrompt(req, res, d);
  if (key === "GET /prompt") return sendJson(res, 200, { exec_info: { queue_remaining: d.engine.queueRemaining() } });
  if (method === "GET" && path.startsWith("/history/")) return r.getHistory(res, decodeURIComponent(path.slice(9)), d);
  if (key === "GET /history") return sendJson(res, 200, Object.fromEntries(d.engine.history));
  if (key === "POST /history") return r.postHistory(req, res, d);
  if (key === "GET /view") return r.getView(url, res, d);
  if (key === "POST /upload/image") return r.uploadImage(req, res, d);
  if (key === "GET /queue") return r.getQueue(res, d);
  if (key === "POST /queue") return r.postQueue(req, res, d);
  if (key === "POST /interrupt") return r.postInterrupt(req, res, d);
  const cancel = /^\/jobs\/([^/]+)\/cancel$/.exec(path);
  if (cancel && method === "POST" && d.faults.jobsApi) return sendJson(res, 200, { cancelled: d.engine.cancel(decodeURIComponent(cancel[1])) });
  if (key === "GET /system_stats") return r.systemStats(res);
  if (key === "GET /object_info") return sendJson(res, 200, d.defs());
  if (method === "GET" && path.startsWith("/object_info/")) {
    const cls = decodeURIComponent(path.slice(13));
    const def = d.defs()[cls];
    return sendJson(res, 200, def ? { [cls]: def } : {});
  }
  if (key === "GET /") return void res.writeHead(200, { "content-type": "text/html" }).end("<html><body>fake ComfyUI</body></html>");
  sendJson(res, 404, { error: "not found" });
}
