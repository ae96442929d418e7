// The GPU side for browser tests, as in the e2e project: the fake ComfyUI in-process and one
// runner process behind a front on RUNNER_URL's port, so a generation really reaches `succeeded`.
import { spawnRunner, startFakeComfy, startFront, type FakeComfy, type Front, type RunnerProcess } from "../../functions/test/e2e/stack";

export interface RunnerStack { fake: FakeComfy; front: Front; runner: RunnerProcess; stop(): Promise<void> }

export async function startRunnerStack(): Promise<RunnerStack> {
  const port = Number(process.env.E2E_RUNNER_PORT);
  if (process.env.DISPATCH_MODE !== "tasks-emulator" || !port) throw new Error("run browser tests through `npm test` (phase 2 sets DISPATCH_MODE and E2E_RUNNER_PORT)");
  const fake = await startFakeComfy({ port: 0, imageMs: 30 });
  const front = await startFront(port);
  const runner = await spawnRunner(fake, "runner-browser");
  front.backends = [runner.url];
  return {
    fake, front, runner,
    async stop() {
      await runner.stop("SIGKILL");
      await front.close();
      await fake.close();
    },
  };
}
