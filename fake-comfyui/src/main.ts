import { startFakeComfy } from "./server";

// `node fake-comfyui/lib/main.js` (`npm start -w fake-comfyui`): the fake ComfyUI for dev and benchmarks.
async function main(): Promise<void> {
  const port = Number(process.env.FAKE_COMFY_PORT ?? process.env.PORT ?? 8188);
  const imageMs = Number(process.env.FAKE_COMFY_IMAGE_MS ?? 300);
  // FAKE_COMFY_BASE_DIR: a folder the runner shares (its COMFY_BASE_DIR), as on a GPU host.
  const baseDir = process.env.FAKE_COMFY_BASE_DIR || undefined;
  const fake = await startFakeComfy({ port, host: process.env.FAKE_COMFY_HOST ?? "127.0.0.1", imageMs, baseDir });
  // FAKE_COMFY_STEP_MS: time per TrainLoraNode step (also settable through POST /fake/faults).
  if (process.env.FAKE_COMFY_STEP_MS) fake.faults.stepMs = Number(process.env.FAKE_COMFY_STEP_MS);
  process.stdout.write(JSON.stringify({ severity: "INFO", message: "fake-comfy.listening", url: fake.url, imageMs, baseDir: fake.files.baseDir }) + "\n");
  const stop = () => void fake.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

void main();
