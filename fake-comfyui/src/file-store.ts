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
    return fs.readdirSync(this.dir(type), { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(this.dir(type), path.join(e.parentPath, e.name)).split(path.sep).join("/"))
      .sort();
  }

  private write(file: string, bytes: Buffer): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
  }

  /** `<prefix>_00001_.png`, counting up from the highest existing counter in the subfolder. */
  saveOutput(type: "output" | "temp", prefix: string, bytes: Buffer): { filename: string; subfolder: string; type: string } {
    const slash = prefix.lastIndexOf("/");
    const subfolder = slash >= 0 ? prefix.slice(0, slash) : "";
    const base = slash >= 0 ? prefix.slice(slash + 1) : prefix;
    const name = (n: number) => `${base}_${String(n).padStart(5, "0")}_.png`;
    let n = 1;
    while (this.get(type, subfolder, name(n))) n++;
    const file = this.resolve(type, subfolder, name(n));
    if (!file) throw new Error(`filename_prefix escapes the ${type} folder: ${prefix}`);
    this.write(file, bytes);
    return { filename: name(n), subfolder, type };
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

const sameBytes = (a: Buffer, b: Buffer) => createHash("sha256").update(a).digest("hex") === createHash("sha256").update(b).digest("hex");
