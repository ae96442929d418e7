import type { ServerResponse } from "node:http";
import { describeNodeCheck } from "../../comfy/node-check";
import { sendJson } from "../../shared/http-util";
import type { RunnerContext } from "../context";

export function healthz(res: ServerResponse): void {
  sendJson(res, 200, { status: "ok" });
}

/** Ready = templates loaded, ComfyUI answering /system_stats with every node they use, and not draining. */
export async function readyz(res: ServerResponse, ctx: RunnerContext): Promise<void> {
  const checks = { templates: ctx.templatesLoaded(), comfy: false, nodes: false, draining: ctx.draining() };
  try {
    await ctx.comfy.systemStats();
    checks.comfy = true;
  } catch {
    checks.comfy = false;
  }
  const nodes = await ctx.checkNodes(checks.comfy);
  checks.nodes = nodes?.ok === true;
  const ready = checks.templates && checks.comfy && checks.nodes && !checks.draining;
  const problems = nodes && !nodes.ok ? { problems: describeNodeCheck(nodes) } : {};
  sendJson(res, ready ? 200 : 503, { status: ready ? "ready" : "not-ready", checks, ...problems });
}
