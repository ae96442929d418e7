import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { FileStore } from "../src/file-store";

// ComfyUI's folder_paths.get_save_image_path: counter = the highest first number after
// "<basename>_" among the folder's files, plus one (not the first free number).
describe("fake ComfyUI output names", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-files-"));
  const files = new FileStore(dir);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("counts on from the highest existing number, like get_save_image_path", () => {
    expect(files.saveOutput("output", "f/x", Buffer.from("a")).filename).toBe("x_00001_.png");
    expect(files.saveOutput("output", "f/x", Buffer.from("b")).filename).toBe("x_00002_.png");
    fs.writeFileSync(path.join(dir, "output", "f", "x_00007_.png"), "c");
    fs.writeFileSync(path.join(dir, "output", "f", "xy_00050_.png"), "d"); // another prefix
    expect(files.saveOutput("output", "f/x", Buffer.from("e")).filename).toBe("x_00008_.png");
  });

  it("counts in the type's own folder when the prefix has no subfolder", () => {
    expect(files.saveOutput("temp", "ComfyUI_temp", Buffer.from("a")).filename).toBe("ComfyUI_temp_00001_.png");
    expect(files.saveOutput("temp", "ComfyUI_temp", Buffer.from("b")).filename).toBe("ComfyUI_temp_00002_.png");
  });

  it("a reused SaveLoRA prefix counts from the steps number, as the real node does", () => {
    expect(files.saveOutput("output", "loras/job", Buffer.from("1"), ".safetensors", "3_steps_").filename).toBe("job_3_steps_00001_.safetensors");
    expect(files.saveOutput("output", "loras/job", Buffer.from("2"), ".safetensors", "3_steps_").filename).toBe("job_3_steps_00004_.safetensors");
  });
});
