// The documentation's executable examples, pure over texts. A block is marked by an HTML comment
// before its fence: `<!-- example-preamble -->` (shell lines every example starts from) or
// `<!-- example: name -->` (a transcript: `$ command` lines, a trailing `\` continuing a command,
// `# comment` lines, and the command's output below it). Outputs are compared after ids, times,
// cursors and URL signatures are replaced by placeholders; `…` in a shown output stands for
// anything (the parts a reader need not see).

const MARK = /^<!--\s*example(-preamble|:\s*([\w-]+))\s*-->\s*$/;

/** The marked blocks of a markdown text, in order: {kind: "preamble"|"example", name, line, body}. */
export function exampleBlocks(text) {
  const lines = text.split("\n");
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const m = MARK.exec(lines[i]);
    if (!m) continue;
    if (!/^```/.test(lines[i + 1] ?? "")) throw new Error(`line ${i + 1}: an example mark must be followed by a code fence`);
    const end = lines.findIndex((l, k) => k > i + 1 && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`line ${i + 1}: unclosed example block`);
    out.push({ kind: m[1] === "-preamble" ? "preamble" : "example", name: m[2] ?? "preamble", line: i + 3, body: lines.slice(i + 2, end) });
  }
  return out;
}

/** A transcript's steps: [{command, expected}], the command joined across `\` continuations. */
export function transcriptSteps(body) {
  const steps = [];
  for (let i = 0; i < body.length; i++) {
    const line = body[i];
    if (line.startsWith("$ ")) {
      let command = line.slice(2);
      while (command.endsWith("\\") && i + 1 < body.length) command = `${command}\n${body[++i]}`;
      steps.push({ command, expected: [] });
    } else if (/^# /.test(line) || line.trim() === "") {
      continue;
    } else if (steps.length) {
      steps.at(-1).expected.push(line);
    } else {
      throw new Error(`output before any command: ${line}`);
    }
  }
  return steps;
}

const SEP = "@@imagegen-example-step@@";

/** One bash script for a preamble and a transcript: each step's output follows a separator line. */
export function exampleScript(preamble, steps) {
  return [...preamble, ...steps.flatMap((s) => [`echo; echo '${SEP}'`, s.command])].join("\n") + "\n";
}

/** The script's output split back into one output per step (trailing newlines dropped). */
export function splitOutputs(stdout) {
  return stdout.split(`\n${SEP}\n`).slice(1).map((s) => s.replace(/\n+$/, ""));
}

const PLACEHOLDERS = [
  [/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>"],
  [/([?&](expires|sig|bytes)=)[^&"\s]*/g, "$1<v>"],
  [/"(nextCursor|cursor)":"[^"]*"/g, '"$1":"<cursor>"'],
  [/"(userId|uid)":"[^"]*"/g, '"$1":"<id>"'],
  [/\b(r|cm|up|grant|debit|refund)([-_])[0-9a-f]{8,}\b/g, "$1$2<id>"],
  [/\b(debit|refund)-[A-Za-z0-9]{20}\b/g, "$1-<id>"],
  [/"[A-Za-z0-9]{20}"/g, '"<id>"'],
  [/\b(sk_test_)?[0-9a-f]{16}\b/g, "$1<key>"],
  [/\/(generations|uploads|loras)\/[^/\s"]+\/[^/\s"]+\//g, "/$1/<id>/<id>/"],
  [/"(seed|durationMs|bytes|retry-after|retryAfterSeconds)":\d+/g, '"$1":<n>'],
];

/** Ids, times, cursors and signatures replaced by placeholders, so two runs' outputs compare equal. */
export function normalise(text) {
  return PLACEHOLDERS.reduce((t, [re, to]) => t.replace(re, to), text.replace(/\r/g, ""));
}

/** Whether a real output matches the shown one (both normalised; `…` in the shown one matches anything). */
export function outputMatches(shown, actual) {
  // ",…," may stand for nothing between two fields: it matches a single comma too.
  const parts = normalise(shown.trim()).replace(/,…,/g, ",…").split("…").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join("[\\s\\S]*?")}$`).test(normalise(actual.trim()));
}

/** Shown text rewritten for another stack: each [from, to] pair replaced everywhere (hosts, emails). */
export function retarget(lines, pairs) {
  return lines.map((l) => pairs.reduce((t, [from, to]) => t.split(from).join(to), l));
}
