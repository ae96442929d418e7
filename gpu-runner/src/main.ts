import { startRunner } from "./app";
import { ConfigError, loadConfig } from "./config";
import { TemplateError } from "./comfy/templates";
import { createLogger } from "./log";
import { shutdownPlan } from "./shutdown";

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  let exitCode = 0;
  // A stuck ComfyUI worker does not heal by itself: leave, so the platform restarts the host.
  const runner = await startRunner({ config, onComfyStuck: () => ((exitCode = 1), stop("COMFY_STUCK")) });
  const plan = shutdownPlan(config);
  let stopping = false;
  function stop(signal: string) {
    if (stopping) return;
    stopping = true;
    runner.ctx.log.info("runner.signal", { signal, ...plan });
    // The platform's SIGKILL must never be what ends us: whatever is still running at the
    // deadline is left to its lease expiry and the task's retry.
    setTimeout(() => {
      runner.ctx.log.error("runner.shutdown_deadline", { active: runner.activeJobs() });
      process.exit(1);
    }, plan.hardExitMs).unref();
    runner.shutdown().then(() => process.exit(exitCode), () => process.exit(1));
  }
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((e) => {
  // Bad config or a broken template must stop the boot loudly, with the reason on one line.
  const log = createLogger("info", (l) => process.stderr.write(l + "\n"));
  const known = e instanceof ConfigError || e instanceof TemplateError;
  log.error(known ? "runner.boot_rejected" : "runner.boot_failed", { error: known ? e.message : e });
  process.exit(1);
});
