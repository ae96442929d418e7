// Markdown links of the README and docs/, checked without a network: a relative link must name an
// existing file, and an anchor a heading of that file (GitHub's slug rules). Pure over texts.

/** GitHub's heading anchor: lower case, punctuation dropped (hyphens and underscores kept), spaces to hyphens. */
export function slug(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** Every anchor a markdown text defines: its headings' slugs (repeats get -1, -2, ... as on GitHub). */
export function anchors(text) {
  const seen = new Map();
  const out = new Set();
  let fenced = false;
  for (const line of text.split("\n")) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1].replace(/\[([^\]]*)\]\([^)]*\)/g, "$1"));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

/** The link targets of a markdown text, outside code fences and inline code. */
export function links(text) {
  const out = [];
  let fenced = false;
  for (const [i, line] of text.split("\n").entries()) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const plain = line.replace(/`[^`]*`/g, "");
    for (const m of plain.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) out.push({ line: i + 1, target: m[1] });
  }
  return out;
}

/**
 * Broken links of `file` (repo-relative). `read(path)` returns a file's text or null when it does
 * not exist; `isDir(path)` says whether a path is a folder.
 */
export function brokenLinks(file, text, read, isDir) {
  const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "";
  const broken = [];
  for (const { line, target } of links(text)) {
    if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
    const [pathPart, anchor] = target.split("#");
    const resolved = pathPart ? normalize(dir ? `${dir}/${pathPart}` : pathPart) : file;
    const body = isDir(resolved) ? "" : read(resolved);
    if (body === null) broken.push(`${file}:${line}: ${target} (no such file)`);
    else if (anchor && !isDir(resolved) && !anchors(body).has(decodeURIComponent(anchor))) broken.push(`${file}:${line}: ${target} (no heading #${anchor} in ${resolved})`);
  }
  return broken;
}

function normalize(p) {
  const parts = [];
  for (const seg of p.split("/")) {
    if (seg === "..") parts.pop();
    else if (seg !== "." && seg !== "") parts.push(seg);
  }
  return parts.join("/");
}
