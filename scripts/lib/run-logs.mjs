// The log files of one `npm test` run, under .data/test-runs/<time>/: the emulators' and
// functions' output with a timestamp on every line, jest's full verbose report, and the quiet
// reporter's console text that the terminal shows. On a failure the terminal gets the log lines
// of each failing file's time window, and the paths of the rest.
import fs from "node:fs";
import path from "node:path";

const KEEP_RUNS = 5;

/** A fresh folder for this run; older runs beyond the last few are removed. */
export function newRunDir(repoRoot) {
  const base = path.join(repoRoot, ".data", "test-runs");
  fs.mkdirSync(base, { recursive: true });
  const old = fs.readdirSync(base).sort();
  for (const d of old.slice(0, Math.max(0, old.length - (KEEP_RUNS - 1)))) fs.rmSync(path.join(base, d), { recursive: true, force: true });
  const dir = path.join(base, new Date().toISOString().replace(/[:.]/g, "-"));
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** A writable sink that prefixes each complete line with its arrival time (ISO, UTC). */
export function timestampedSink(file) {
  const fd = fs.openSync(file, "a");
  let partial = "";
  return {
    write(chunk) {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop();
      if (lines.length) fs.writeSync(fd, lines.map((l) => `${new Date().toISOString()} ${l}\n`).join(""));
    },
    close() {
      if (partial) fs.writeSync(fd, `${new Date().toISOString()} ${partial}\n`);
      fs.closeSync(fd);
    },
  };
}

/** Prints what is appended to `file` while a phase runs; stop() prints the rest and ends. */
export function follow(file, print) {
  let offset = 0;
  const drain = () => {
    if (!fs.existsSync(file)) return;
    const size = fs.statSync(file).size;
    if (size <= offset) return;
    const fd = fs.openSync(file, "r");
    const buf = Buffer.alloc(size - offset);
    fs.readSync(fd, buf, 0, buf.length, offset);
    fs.closeSync(fd);
    offset = size;
    print(buf.toString("utf8"));
  };
  const timer = setInterval(drain, 250);
  return {
    stop() {
      clearInterval(timer);
      drain();
    },
  };
}

const NOTABLE = /error|warn|fail|exception|⚠|✖|refused|timed? ?out/i;

/**
 * The timestamped log lines written between `start` and `end` (ms, with a second's margin):
 * the notable ones (errors, warnings) when there are any, else the last ones; at most `max`.
 * Pure over the log's text, so it is unit-tested.
 */
export function windowLines(text, start, end, max = 40) {
  const inWindow = [];
  for (const l of text.split("\n")) {
    const t = Date.parse(l.slice(0, 24));
    if (Number.isFinite(t) && t >= start - 1000 && t <= end + 1000) inWindow.push(l);
  }
  const notable = inWindow.filter((l) => NOTABLE.test(l.slice(25)));
  return (notable.length ? notable : inWindow).slice(-max);
}
