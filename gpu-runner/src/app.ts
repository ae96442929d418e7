import type { AddressInfo } from "node:net";
import os from "node:os";
import { getApps, initializeApp, type App } from "firebase-admin/app";
import { getFirestore, type Firestore } from "firebase-admin/firestore";
import type { IdTokenVerifier } from "./auth/authenticator";
import { createAuthenticator } from "./auth/authenticator";
import { ComfyHttp } from "./comfy/http-client";
import { loadTemplates } from "./comfy/templates";
import type { Config } from "./config";
import type { RunnerContext } from "./http/context";
import { createHttpServer } from "./http/server";
import { handleTask } from "./jobs/handle-task";
import { createLogger, type Logger } from "./log";
import { createStorage, LocalStorage } from "./storage";

export interface RunnerOptions { config: Config; db?: Firestore; app?: App; log?: Logger; verifyIdToken?: IdTokenVerifier }
export interface Runner { url: string; port: number; ctx: RunnerContext; activeJobs(): number; shutdown(): Promise<void> }

/** Builds and starts the runner. Templates are validated first: a broken one throws here. */
export async function startRunner(opts: RunnerOptions): Promise<Runner> {
  const { config } = opts;
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const templates = loadTemplates(config.TEMPLATES_DIR);
  const app = () => opts.app ?? getApps()[0] ?? initializeApp();
  const db = opts.db ?? getFirestore(app());
  const storage = createStorage(config, app);
  const comfy = new ComfyHttp(config.COMFY_URL);
  const instanceId = config.RUNNER_INSTANCE_ID ?? `${os.hostname()}-${process.pid}`;
  const shutdownSignal = new AbortController();
  let draining = false;
  let active = 0;
  let idle: (() => void) | null = null;

  const ctx: RunnerContext = {
    config, log, comfy,
    localStorage: storage instanceof LocalStorage ? storage : null,
    authenticate: createAuthenticator(config, opts.verifyIdToken),
    handleTask: (requestId, retryCount, deliveredAt) =>
      handleTask({ db, config, comfy, storage, templates, log, instanceId }, requestId, retryCount, shutdownSignal.signal, deliveredAt),
    admit: () => {
      if (active >= config.MAX_CONCURRENT_JOBS) return null;
      active++;
      return () => {
        if (--active === 0) idle?.();
      };
    },
    draining: () => draining,
    templatesLoaded: () => templates.size > 0,
  };
  const server = createHttpServer(ctx);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.PORT, config.HOST, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  log.info("runner.listening", { port, comfy: config.COMFY_URL, templates: [...templates.keys()], storage: storage.kind, auth: config.RUNNER_AUTH_MODE });

  const waitIdle = (ms: number) =>
    new Promise<void>((resolve) => {
      if (active === 0) return resolve();
      const t = setTimeout(resolve, ms);
      idle = () => (clearTimeout(t), resolve());
    });
  return {
    url: `http://127.0.0.1:${port}`, port, ctx,
    activeJobs: () => active,
    /** Stop taking tasks, let running jobs finish for a while, then release them (their pushes get 503). */
    async shutdown() {
      draining = true;
      log.info("runner.draining", { active });
      await waitIdle(config.DRAIN_TIMEOUT_SECONDS * 1000);
      if (active > 0) {
        shutdownSignal.abort();
        await waitIdle(15_000);
      }
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      log.info("runner.stopped", {});
    },
  };
}
