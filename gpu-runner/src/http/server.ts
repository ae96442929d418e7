import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { sendJson } from "../shared/http-util";
import type { RunnerContext } from "./context";
import { getFile } from "./routes/files";
import { healthz, readyz } from "./routes/health";
import { postEvictLora, postJob } from "./routes/tasks";
import { putUpload } from "./routes/uploads";

const TASK_ROUTES: Record<string, (req: IncomingMessage, res: ServerResponse, ctx: RunnerContext) => Promise<void>> = {
  "/tasks/generate": (req, res, ctx) => postJob("generate", req, res, ctx),
  "/tasks/train": (req, res, ctx) => postJob("train", req, res, ctx),
  "/tasks/evict-lora": postEvictLora,
};

export function createHttpServer(ctx: RunnerContext): http.Server {
  return http.createServer((req, res) => {
    route(req, res, ctx).catch((e) => {
      ctx.log.error("http.unhandled", { path: req.url?.split("?")[0], error: e });
      if (!res.headersSent) sendJson(res, 500, { error: { code: "INTERNAL", message: "internal error" } });
      else res.destroy();
    });
  });
}

async function route(req: IncomingMessage, res: ServerResponse, ctx: RunnerContext): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  const method = req.method ?? "GET";
  const task = TASK_ROUTES[path];
  if (task) {
    if (method !== "POST") return sendJson(res, 405, { error: { code: "INVALID_ARGUMENT", message: "use POST" } }, { allow: "POST" });
    return task(req, res, ctx);
  }
  if (method === "GET" && path === "/healthz") return healthz(res);
  if (method === "GET" && path === "/readyz") return readyz(res, ctx);
  if (path.startsWith("/files/")) {
    // The console (another origin) PUTs uploads here from the browser, as it would to a bucket
    // with a CORS rule: the signed URL is the authority, so any origin may use it.
    res.setHeader("access-control-allow-origin", "*");
    if (method === "OPTIONS") return preflight(res);
  }
  if (method === "GET" && path.startsWith("/files/")) return getFile(req, res, ctx);
  if (method === "PUT" && path.startsWith("/files/")) return putUpload(req, res, ctx);
  sendJson(res, 404, { error: { code: "NOT_FOUND", message: "no such route" } });
}

function preflight(res: ServerResponse): void {
  res.writeHead(204, { "access-control-allow-methods": "GET, PUT", "access-control-allow-headers": "content-type", "access-control-max-age": "3600" });
  res.end();
}
