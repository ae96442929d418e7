import type { AddressInfo } from "node:net";
import os from "node:os";
import { getApps, initializeApp, type App } from "firebase-admin/app";
import { getFirestore, type Firestore } from "firebase-admin/firestore";
import type { IdTokenVerifier } from "./auth/authenticator";
import { createAuthenticator } from "./auth/authenticator";
import { ComfyHttp } from "./comfy/http-client";
import { checkComfyNodes, describeNodeCheck, kindsReady, type NodeCheck } from "./comfy/node-check";
import { loadTemplates, type Template } from "./comfy/templates";
import { startWatchdog } from "./comfy/watchdog";
import { Warmup } from "./comfy/warmup";
import { removeTrainingFiles } from "./comfy/job-files";
import { comfyFolders, comfyLoraDir, type Config } from "./config";
import type { RunnerContext } from "./http/context";
import { createHttpServer } from "./http/server";
import { handleTask, type TaskDeps } from "./jobs/handle-task";
import { handleTrainTask } from "./jobs/handle-train";
import { LoraCache } from "./jobs/lora-cache";
import { firestoreEvictions } from "./jobs/lora-evictions.repo";
import { createLogger, type Logger } from "./log";
import { closeServer, shutdownPlan } from "./shutdown";
import { createStorage, LocalStorage, type Storage } from "./storage";

export interface RunnerOptions {
  config: Config; db?: Firestore; app?: App; log?: Logger; verifyIdToken?: IdTokenVerifier; storage?: Storage;
  /** ComfyUI's worker is stuck (see comfy/watchdog.ts): main exits so the platform restarts the host. */
  onComfyStuck?: (reason: string) => void;
}
export interface Runner { url: string; port: number; ctx: RunnerContext; activeJobs(): number; shutdown(): Promise<void> }

/** Builds and starts the runner. Templates are validated first: a broken one throws here. */
export async function startRunner(opts: RunnerOptions): Promise<Runner> {
  const { config } = opts;
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const templates = loadTemplates(config.TEMPLATES_DIR);
  const app = () => opts.app ?? getApps()[0] ?? initializeApp();
  const db = opts.db ?? getFirestore(app());
  const storage = opts.storage ?? createStorage(config, app);
  const comfy = new ComfyHttp(config.COMFY_URL);
  const instanceId = config.RUNNER_INSTANCE_ID ?? `${os.hostname()}-${process.pid}`;
  const folders = comfyFolders(config);
  if (!folders) log.warn("runner.comfy_cleanup_disabled", { reason: "COMFY_BASE_DIR (or COMFY_INPUT_DIR and COMFY_OUTPUT_DIR) not set: ComfyUI's input and output files are never deleted" });
  const loraDir = comfyLoraDir(config);
  const loraCache = loraDir ? new LoraCache(loraDir, { maxBytes: config.LORA_CACHE_MAX_BYTES, maxAgeMs: config.LORA_CACHE_MAX_AGE_HOURS * 3_600_000, evictions: firestoreEvictions(db) }) : null;
  // An idle host trims too: deleted models' copies and stale files go within the hour.
  const loraTrim = loraCache ? setInterval(() => void loraCache.trim().catch((e) => log.warn("lora.trim_failed", { error: e })), 3_600_000).unref() : null;
  const shutdownSignal = new AbortController();
  const warmup = new Warmup(comfy, templates, log, {
    template: config.WARMUP_TEMPLATE, retryMs: config.WARMUP_RETRY_MS, timeoutMs: config.JOB_TIMEOUT_SECONDS * 1000,
    pollIntervalMs: config.COMFY_POLL_INTERVAL_MS, reconnectMs: config.COMFY_WS_RECONNECT_MS, folders,
  });
  const deps: TaskDeps = { db, config, comfy, storage, templates, log, instanceId, comfyFolders: folders, loraCache };
  let draining = false;
  let active = 0;
  let idle: (() => void) | null = null;

  const ctx: RunnerContext = {
    config, log, comfy,
    localStorage: storage instanceof LocalStorage ? storage : null,
    authenticate: createAuthenticator(config, opts.verifyIdToken),
    handleJob: (kind, id, retryCount, deliveredAt) =>
      (kind === "train" ? handleTrainTask : handleTask)(deps, id, retryCount, shutdownSignal.signal, deliveredAt),
    evictLora: async (customModelId, sha256) =>
      (loraCache ? await loraCache.evict(sha256) : 0) + (folders ? await removeTrainingFiles(folders, customModelId) : 0),
    admit: () => {
      if (active >= config.MAX_CONCURRENT_JOBS) return null;
      active++;
      return () => {
        if (--active === 0) idle?.();
      };
    },
    draining: () => draining,
    templatesLoaded: () => templates.size > 0,
    warmup,
    ...nodeChecker(comfy, templates, log),
  };
  const watchdog = startWatchdog(comfy, log, {
    intervalMs: config.COMFY_WATCHDOG_INTERVAL_MS, stallMs: config.COMFY_STALL_SECONDS * 1000, onStuck: (reason) => opts.onComfyStuck?.(reason),
  });
  const server = createHttpServer(ctx);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.PORT, config.HOST, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  log.info("runner.listening", { host: config.HOST, port, production: config.PRODUCTION, comfy: config.COMFY_URL, templates: [...templates.keys()], jobKinds: config.RUNNER_JOB_KINDS, loraDir, storage: storage.kind, auth: config.RUNNER_AUTH_MODE });

  const waitIdle = (ms: number) =>
    new Promise<void>((resolve) => {
      if (active === 0) return resolve();
      const t = setTimeout(resolve, ms);
      idle = () => (clearTimeout(t), resolve());
    });
  return {
    url: `http://127.0.0.1:${port}`, port, ctx,
    activeJobs: () => active,
    /** Stop taking tasks, let running jobs finish for a while, then release them (their pushes get 503); see shutdown.ts. */
    async shutdown() {
      const plan = shutdownPlan(config);
      draining = true;
      watchdog.stop();
      log.info("runner.draining", { active, drainMs: plan.drainMs });
      await waitIdle(plan.drainMs);
      if (active > 0) {
        log.warn("runner.releasing", { active, releaseMs: plan.releaseMs });
        shutdownSignal.abort();
        await waitIdle(plan.releaseMs);
      }
      await closeServer(server);
      if (loraTrim) clearInterval(loraTrim);
      log.info("runner.stopped", { unreleased: active });
    },
  };
}

/**
 * Readiness asks ComfyUI for /object_info once it answers and keeps the verdict until ComfyUI
 * stops answering (a restart may bring other custom nodes). The runner may start before ComfyUI:
 * then readiness says so and nothing crashes.
 */
function nodeChecker(comfy: ComfyHttp, templates: Map<string, Template>, log: Logger): Pick<RunnerContext, "checkNodes" | "kindProblems"> {
  let verdict: NodeCheck | null = null;
  return {
    checkNodes: async (comfyUp) => {
      if (!comfyUp) return (verdict = null);
      if (verdict) return verdict;
      try {
        verdict = await checkComfyNodes(comfy, templates);
        if (!verdict.ok) log.error("runner.comfy_nodes_missing", { problems: describeNodeCheck(verdict), kinds: kindsReady(verdict) });
      } catch (e) {
        log.warn("runner.comfy_object_info_failed", { error: e });
      }
      return verdict;
    },
    kindProblems: (kind) =>
      verdict ? Object.values(verdict.templates).filter((v) => v.training === (kind === "train") && !v.ok).flatMap((v) => v.problems) : [],
  };
}
