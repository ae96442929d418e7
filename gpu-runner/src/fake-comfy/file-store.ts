import { createHash } from "node:crypto";

/** In-memory input/output/temp folders, with ComfyUI's naming and upload rename rules. */
export class FileStore {
  private readonly files = new Map<string, Buffer>();

  private key(type: string, subfolder: string, filename: string): string {
    return `${type}/${subfolder}/${filename}`;
  }

  get(type: string, subfolder: string, filename: string): Buffer | undefined {
    return this.files.get(this.key(type, subfolder, filename));
  }

  list(type: string): string[] {
    return [...this.files.keys()].filter((k) => k.startsWith(`${type}/`)).map((k) => k.slice(type.length + 1).replace(/^\//, ""));
  }

  /** `<prefix>_00001_.png`, counting up from the highest existing counter in the subfolder. */
  saveOutput(type: "output" | "temp", prefix: string, bytes: Buffer): { filename: string; subfolder: string; type: string } {
    const slash = prefix.lastIndexOf("/");
    const subfolder = slash >= 0 ? prefix.slice(0, slash) : "";
    const base = slash >= 0 ? prefix.slice(slash + 1) : prefix;
    let n = 1;
    while (this.files.has(this.key(type, subfolder, `${base}_${String(n).padStart(5, "0")}_.png`))) n++;
    const filename = `${base}_${String(n).padStart(5, "0")}_.png`;
    this.files.set(this.key(type, subfolder, filename), bytes);
    return { filename, subfolder, type };
  }

  /** Upload rule: same name + same bytes keeps the name; different bytes → `stem (1).ext`. */
  upload(name: string, subfolder: string, bytes: Buffer, overwrite: boolean): string {
    const dot = name.lastIndexOf(".");
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const ext = dot > 0 ? name.slice(dot) : "";
    let candidate = name;
    for (let i = 1; !overwrite; i++) {
      const existing = this.get("input", subfolder, candidate);
      if (!existing || sameBytes(existing, bytes)) break;
      candidate = `${stem} (${i})${ext}`;
    }
    this.files.set(this.key("input", subfolder, candidate), bytes);
    return candidate;
  }
}

const sameBytes = (a: Buffer, b: Buffer) => createHash("sha256").update(a).digest("hex") === createHash("sha256").update(b).digest("hex");
