import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export type FolderType = "input" | "output" | "temp";

/**
 * ComfyUI's input/output/temp folders as real files under `baseDir`, with ComfyUI's naming and
 * upload rename rules: the runner deletes these files itself, so a test can count them.
 */
export class FileStore {
  constructor(readonly baseDir: string) {
    for (const type of ["input", "output", "temp"] as const) fs.mkdirSync(this.dir(type), { recursive: true });
    fs.mkdirSync(this.modelLoras, { recursive: true });
  }

  /** `models/loras`: where a runner beside ComfyUI puts LoRA files (ComfyUI has no upload route for them). */
  get modelLoras(): string {
    return path.join(this.baseDir, "models", "loras");
  }

  /** ComfyUI's `loras` search paths: models/loras, and output/loras where SaveLoRA writes. */
  get loraDirs(): string[] {
    return [this.modelLoras, path.join(this.dir("output"), "loras")];
  }

  /** What LoraLoader's `lora_name` combo lists: `.safetensors` files in the loras paths, relative. */
  listLoras(): string[] {
    return [...new Set(this.loraDirs.flatMap((d) => listFiles(d).filter((f) => f.endsWith(".safetensors"))))].sort();
  }

  /** The bytes of a listed LoRA (first search path that has it). */
  readLora(name: string): Buffer | undefined {
    for (const d of this.loraDirs) {
      const file = path.resolve(d, name);
      if (path.relative(d, file).startsWith("..")) return undefined;
      if (fs.existsSync(file) && fs.statSync(file).isFile()) return fs.readFileSync(file);
    }
    return undefined;
  }

  /** Subfolders of input/ (the dataset loaders' `folder` combo), listed fresh per call as in ComfyUI. */
  listInputFolders(): string[] {
    return fs.readdirSync(this.dir("input"), { withFileTypes: true, recursive: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.relative(this.dir("input"), path.join(e.parentPath, e.name)).split(path.sep).join("/"))
      .sort();
  }

  /** Files directly in `input/<folder>`, sorted by name. */
  folderFiles(folder: string): { name: string; bytes: Buffer }[] {
    const dir = this.resolve("input", folder, ".");
    if (!dir || !fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name).sort()
      .map((name) => ({ name, bytes: fs.readFileSync(path.join(dir, name)) }));
  }

  dir(type: FolderType): string {
    return path.join(this.baseDir, type);
  }

  /** Absolute path inside the folder, or null if `subfolder/filename` would leave it (as ComfyUI answers 403). */
  private resolve(type: string, subfolder: string, filename: string): string | null {
    if (type !== "input" && type !== "output" && type !== "temp") return null;
    const root = this.dir(type);
    const file = path.resolve(root, subfolder, filename);
    const rel = path.relative(root, file);
    return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? file : null;
  }

  get(type: string, subfolder: string, filename: string): Buffer | undefined {
    const file = this.resolve(type, subfolder, filename);
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) return undefined;
    return fs.readFileSync(file);
  }

  /** Files in a folder as `subfolder/name` paths (what LoadImage's combo lists). */
  list(type: FolderType): string[] {
    return listFiles(this.dir(type));
  }

  private write(file: string, bytes: Buffer): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
  }

  /**
   * `<prefix>_<infix><counter:05>_<ext>` with folder_paths.get_save_image_path's counter: the
   * highest first number after "<basename>_" among the folder's files, plus one. SaveLoRA's
   * infix is `<steps>_steps_`, so a reused prefix counts on from the steps number.
   */
  saveOutput(type: "output" | "temp", prefix: string, bytes: Buffer, ext = ".png", infix = ""): { filename: string; subfolder: string; type: string } {
    const slash = prefix.lastIndexOf("/");
    const subfolder = slash >= 0 ? prefix.slice(0, slash) : "";
    const base = slash >= 0 ? prefix.slice(slash + 1) : prefix;
    const dir = subfolder ? this.resolve(type, subfolder, "") : this.dir(type);
    const existing = dir && fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    const numbers = existing.filter((f) => f.startsWith(`${base}_`)).map((f) => parseInt(f.slice(base.length + 1).split("_")[0], 10) || 0);
    const counter = numbers.length ? Math.max(...numbers) + 1 : 1;
    const name = `${base}_${infix}${String(counter).padStart(5, "0")}_${ext}`;
    const file = this.resolve(type, subfolder, name);
    if (!file) throw new Error(`filename_prefix escapes the ${type} folder: ${prefix}`);
    this.write(file, bytes);
    return { filename: name, subfolder, type };
  }

  /** Upload rule: same name + same bytes keeps the name; different bytes → `stem (1).ext`. Null = path escapes. */
  upload(name: string, subfolder: string, bytes: Buffer, overwrite: boolean): string | null {
    const dot = name.lastIndexOf(".");
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const ext = dot > 0 ? name.slice(dot) : "";
    let candidate = name;
    for (let i = 1; !overwrite; i++) {
      const existing = this.get("input", subfolder, candidate);
      if (!existing || sameBytes(existing, bytes)) break;
      candidate = `${stem} (${i})${ext}`;
    }
    const file = this.resolve("input", subfolder, candidate);
    if (!file) return null;
    this.write(file, bytes);
    return candidate;
  }
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}

const sameBytes = (a: Buffer, b: Buffer) => createHash("sha256").update(a).digest("hex") === createHash("sha256").update(b).digest("hex");
