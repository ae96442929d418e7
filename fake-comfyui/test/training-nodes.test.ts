import { loraMark } from "../src/lora-mark";
import { fakeLoraFile, readSafetensorsHeader } from "../src/safetensors";
import { NodeFailure, readDataset, runTrainingNode } from "../src/training";

const file = (name: string, text: string) => ({ name, bytes: Buffer.from(text) });

describe("fake training nodes (pure parts)", () => {
  it("pairs images with same-stem captions, reads only image extensions, and fails an empty folder like ComfyUI", () => {
    const ds = readDataset([file("01.png", "a"), file("01.txt", " ohwx person\n"), file("02.jpg", "b"), file("notes.md", "x")]);
    expect(ds.texts).toEqual(["ohwx person", ""]);
    expect(ds.images).toHaveLength(2);
    expect(() => readDataset([file("01.txt", "caption only")])).toThrow(new NodeFailure("No valid images found in input", "ValueError"));
  });

  it("writes a valid safetensors LoRA, deterministic from its inputs", () => {
    const a = fakeLoraFile("d1", 16, 200);
    expect(a.equals(fakeLoraFile("d1", 16, 200))).toBe(true);
    expect(a.equals(fakeLoraFile("d2", 16, 200))).toBe(false);
    const header = readSafetensorsHeader(a);
    expect(Object.keys(header).some((k) => k.endsWith(".lora_up.weight"))).toBe(true);
    expect(() => readSafetensorsHeader(a.subarray(0, a.length - 4))).toThrow(/InvalidOffset/);
    expect(() => readSafetensorsHeader(Buffer.from("garbage!garbage!"))).toThrow(/deserializing header/);
  });

  it("trains one progress step at a time and the loader marks the model with loraMark(file, strength)", async () => {
    const steps: [number, number][] = [];
    let saved: { prefix: string; bytes: Buffer } | null = null;
    const ctx = {
      folderFiles: () => [file("01.png", "a")], readLora: () => saved?.bytes,
      saveLora: (prefix: string, bytes: Buffer) => void (saved = { prefix, bytes }), step: async (v: number, m: number) => void steps.push([v, m]),
    };
    const [images, texts] = (await runTrainingNode("LoadImageTextDataSetFromFolder", { folder: "f" }, ctx))!;
    const [latents, positive] = (await runTrainingNode("MakeTrainingDataset", { images, texts }, ctx))!;
    const [lora, , n] = (await runTrainingNode("TrainLoraNode", { latents, positive, steps: 3, grad_accumulation_steps: 2, seed: 1, rank: 4 }, ctx))!;
    expect(steps).toEqual([[1, 6], [2, 6], [3, 6], [4, 6], [5, 6], [6, 6]]);
    await runTrainingNode("SaveLoRA", { lora, prefix: "loras/job", steps: n }, ctx);
    expect(saved!.prefix).toBe("loras/job_3_steps");
    const [model] = (await runTrainingNode("LoraLoaderModelOnly", { model: {}, lora_name: "x", strength_model: 0.9 }, ctx))!;
    expect(model).toEqual({ loraMarks: [loraMark(saved!.bytes, 0.9)] });
    expect(await runTrainingNode("KSampler", {}, ctx)).toBeNull();
  });
});
