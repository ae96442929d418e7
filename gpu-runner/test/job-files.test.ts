import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { filenamePrefix, insideRoot, inputUpload, jobPaths, removeJobFiles } from "../src/comfy/job-files";

describe("a job's files in ComfyUI's folders", () => {
  const folders = { input: "/comfy/input", output: "/comfy/output" };

  it("derives every name from the request id, inside our own subfolder", () => {
    expect(inputUpload("req1")).toEqual({ subfolder: "imagegen", name: "req1.png" });
    expect(filenamePrefix("req1", 2)).toBe("imagegen/req1/a2");
    expect(jobPaths(folders, "req1")).toEqual({ inputFile: "/comfy/input/imagegen/req1.png", maskFile: "/comfy/input/imagegen/req1.mask.png", outputDir: "/comfy/output/imagegen/req1" });
  });

  it("never resolves outside the folder: traversal, absolute paths and separators are refused", () => {
    expect(insideRoot("/comfy/output", "imagegen", "x")).toBe("/comfy/output/imagegen/x");
    expect(insideRoot("/comfy/output", "..", "etc")).toBeNull();
    expect(insideRoot("/comfy/output", "/etc/passwd")).toBeNull();
    expect(insideRoot("/comfy/output", "")).toBeNull();
    for (const id of ["..", ".", "", "a/b", "a\\b", "..\\..\\x", "a\0b"]) expect(() => jobPaths(folders, id)).toThrow(/unsafe request id/);
  });

  it("removes the uploaded input and every attempt's outputs, and nothing else", async () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "job-files-"));
    const real = { input: path.join(base, "input"), output: path.join(base, "output") };
    const write = (...p: string[]) => (fs.mkdirSync(path.dirname(path.join(...p)), { recursive: true }), fs.writeFileSync(path.join(...p), "x"));
    write(real.input, "imagegen", "r1.png");
    write(real.output, "imagegen", "r1", "a1_00001_.png");
    write(real.output, "imagegen", "r1", "a2_00001_.png");
    write(real.output, "imagegen", "r1", "a2_00002_.png");
    write(real.input, "imagegen", "r10.png");
    write(real.output, "imagegen", "r10", "a1_00001_.png");
    write(real.output, "ComfyUI_00001_.png");
    expect(await removeJobFiles(real, "r1")).toBe(4);
    expect(await removeJobFiles(real, "r1")).toBe(0);
    const left = fs.readdirSync(base, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(base, path.join(e.parentPath, e.name))).sort();
    expect(left).toEqual(["input/imagegen/r10.png", "output/ComfyUI_00001_.png", "output/imagegen/r10/a1_00001_.png"]);
    fs.rmSync(base, { recursive: true, force: true });
  });
});
