import type { ServerResponse } from "node:http";
import { ComfyHttp } from "../../comfy/http-client";
import { describeNodeCheck, kindsReady } from "../../comfy/node-check";
import { sendJson } from "../../shared/http-util";
import type { RunnerContext } from "../context";

export function healthz(res: ServerResponse): void {
  sendJson(res, 200, { status: "ok" });
}

/**
 * Ready = templates loaded, ComfyUI answering /system_stats, at least one job kind this runner
 * serves has every template valid against ComfyUI's /object_info, and not draining. A broken
 * training template disables training only (`kinds.train: false`, its tasks get 503), not
 * generation. The ComfyUI version comes from /system_stats. A generation runner is ready only
 * once its warm-up prompt ran; `warmup.ms` reports how long it took.
 */
export async function readyz(res: ServerResponse, ctx: RunnerContext): Promise<void> {
  // comfyWorker: false once a prompt ignored its interrupt or held the worker silently (watchdog).
  const checks = { templates: ctx.templatesLoaded(), comfy: false, nodes: false, comfyWorker: ctx.comfy.health.stuck === null, warm: false, draining: ctx.draining() };
  let comfyuiVersion: string | null = null;
  try {
    comfyuiVersion = ComfyHttp.versionOf(await ctx.comfy.systemStats());
    checks.comfy = true;
  } catch {
    checks.comfy = false;
  }
  const nodes = await ctx.checkNodes(checks.comfy);
  const served = ctx.config.RUNNER_JOB_KINDS;
  const ready = nodes ? kindsReady(nodes) : null;
  const kinds = ready ? Object.fromEntries(served.map((k) => [k, ready[k]])) : {};
  checks.nodes = served.some((k) => kinds[k] === true);
  // Warm only after the warm-up prompt ran (warmup.ts); the probe starts it once ComfyUI can run it.
  ctx.warmup.poke(checks.comfy && checks.nodes && checks.comfyWorker && served.includes("generate"));
  checks.warm = ctx.warmup.ready || !served.includes("generate");
  const ok = checks.templates && checks.comfy && checks.nodes && checks.comfyWorker && checks.warm && !checks.draining;
  const extra = {
    ...(nodes ? { kinds, templates: Object.fromEntries(Object.entries(nodes.templates).map(([n, v]) => [n, v.ok ? { ok: true } : { ok: false, problems: v.problems }])) } : {}),
    ...(nodes && !nodes.ok ? { problems: describeNodeCheck(nodes) } : {}),
    ...(ctx.comfy.health.stuck ? { stuck: ctx.comfy.health.stuck } : {}),
  };
  sendJson(res, ok ? 200 : 503, { status: ok ? "ready" : "not-ready", comfyui: { version: comfyuiVersion }, checks, warmup: ctx.warmup.snapshot(), ...extra });
}
