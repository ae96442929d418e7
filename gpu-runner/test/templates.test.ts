import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { renderWorkflow } from "../src/comfy/render-workflow";
import { buildTemplate, loadTemplates, progressSource, TemplateError } from "../src/comfy/templates";

const dir = path.join(__dirname, "..", "workflows");
const params = { positivePrompt: "a cat, photo", negativePrompt: "blurry", seed: 1234, steps: 12, cfg: 6.5, width: 768, height: 512, batchSize: 3, filenamePrefix: "imagegen/r1/a1" };

describe("workflow templates", () => {
  const templates = loadTemplates(dir);

  it("ships the three catalog workflows and the training one, and they validate", () => {
    expect([...templates.keys()]).toEqual(["img2img-staging", "train-lora", "txt2img", "txt2img-sdxl"]);
  });

  it("renders every mapped parameter into its node input without mutating the template", () => {
    const t = templates.get("txt2img")!;
    const before = JSON.stringify(t.workflow);
    const wf = renderWorkflow(t, params);
    expect(wf["6"].inputs.text).toBe("a cat, photo");
    expect(wf["7"].inputs.text).toBe("blurry");
    expect(wf["3"].inputs).toMatchObject({ seed: 1234, steps: 12, cfg: 6.5, denoise: 1 });
    expect(wf["5"].inputs).toEqual({ width: 768, height: 512, batch_size: 3 });
    expect(wf["9"].inputs.filename_prefix).toBe("imagegen/r1/a1");
    expect(wf["3"].inputs.model).toEqual(["4", 0]);
    expect(JSON.stringify(t.workflow)).toBe(before);
  });

  it("maps denoise, batch and the uploaded image for image-to-image", () => {
    const wf = renderWorkflow(templates.get("img2img-staging")!, { ...params, denoise: 0.55, inputImage: "r1.png" });
    expect(wf["10"].inputs.image).toBe("r1.png");
    expect(wf["3"].inputs.denoise).toBe(0.55);
    expect(wf["13"].inputs.amount).toBe(3);
    expect(wf["11"].inputs).toMatchObject({ width: 768, height: 512 });
  });

  it("refuses an input image for text-to-image and requires one for image-to-image", () => {
    expect(() => renderWorkflow(templates.get("txt2img")!, { ...params, inputImage: "x.png" })).toThrow(/takes no input image/);
    expect(() => renderWorkflow(templates.get("img2img-staging")!, params)).toThrow(/needs an input image/);
  });

  const wf = () => JSON.parse(fs.readFileSync(path.join(dir, "txt2img.json"), "utf8"));
  const map = () => JSON.parse(fs.readFileSync(path.join(dir, "txt2img.map.json"), "utf8"));

  it.each([
    ["a missing node", { ...map(), positivePrompt: "66.inputs.text" }, /mapping "positivePrompt" → node "66" does not exist \(input "text"\)/],
    ["a missing input", { ...map(), seed: "3.inputs.noise_seed" }, /node "3" \(KSampler\) has no input "noise_seed"/],
    ["a link instead of a value", { ...map(), cfg: "3.inputs.model" }, /node "3" input "model" is a link/],
    ["an unknown parameter", { ...map(), sampler: "3.inputs.sampler_name" }, /unknown parameter/],
    ["a malformed reference", { ...map(), steps: "3.steps" }, /<nodeId>\.inputs\.<name>/],
    ["a missing required parameter", (({ filenamePrefix: _f, ...rest }) => rest)(map()), /lacks required parameter "filenamePrefix"/],
  ])("rejects %s, naming template, node and input", (_name, mapping, message) => {
    expect(() => buildTemplate("txt2img", wf(), mapping)).toThrow(TemplateError);
    expect(() => buildTemplate("txt2img", wf(), mapping)).toThrow(message);
  });

  it("fails loading a folder whose template is broken", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tpl-"));
    fs.writeFileSync(path.join(tmp, "txt2img.json"), JSON.stringify(wf()));
    fs.writeFileSync(path.join(tmp, "txt2img.map.json"), JSON.stringify({ ...map(), negativePrompt: "7.inputs.txt" }));
    expect(() => loadTemplates(tmp)).toThrow(/template "txt2img".*node "7" \(CLIPTextEncode\) has no input "txt"/);
    fs.writeFileSync(path.join(tmp, "txt2img.json"), "{ not json");
    expect(() => loadTemplates(tmp)).toThrow(/cannot read txt2img.json/);
  });
});

describe("progress source of a template", () => {
  const read = (f: string) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));

  it("is the node steps is mapped to: the sampler, or the trainer counting micro-steps per grad_accumulation_steps", () => {
    const all = loadTemplates(dir);
    expect(progressSource(all.get("txt2img")!)).toEqual({ node: "3", ticksPerStep: 1 });
    expect(progressSource(all.get("train-lora")!)).toEqual({ node: "6", ticksPerStep: 1 });
    const wf = read("train-lora.json");
    wf["6"].inputs.grad_accumulation_steps = 4;
    expect(progressSource(buildTemplate("train-lora", wf, read("train-lora.map.json")))).toEqual({ node: "6", ticksPerStep: 4 });
  });
});
