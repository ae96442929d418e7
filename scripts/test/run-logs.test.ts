import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { timestampedSink, windowLines } from "../lib/run-logs.mjs";

describe("npm test's log files", () => {
  it("timestamps every line of the emulators' output, joining lines split across chunks", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "run-logs-")), "emulators.log");
    const sink = timestampedSink(file);
    sink.write("i  functions: Beginning exec");
    sink.write("ution of \"createGenerationRequest\"\n⚠  functions: a warning\npartial");
    sink.close();
    const lines = fs.readFileSync(file, "utf8").trim().split("\n");
    expect(lines.map((l) => l.slice(25))).toEqual(['i  functions: Beginning execution of "createGenerationRequest"', "⚠  functions: a warning", "partial"]);
    for (const l of lines) expect(Number.isFinite(Date.parse(l.slice(0, 24)))).toBe(true);
  });

  it("shows a failing file's window of the log: its notable lines, else its last ones", () => {
    const at = (ms: number, text: string) => `${new Date(ms).toISOString()} ${text}`;
    const t0 = Date.parse("2026-12-07T18:00:00.000Z");
    const log = [
      at(t0 - 5000, "⚠  functions: before the file ran"),
      at(t0 + 100, "i  functions: Beginning execution"),
      at(t0 + 200, "⚠  functions: Error: refund failed"),
      at(t0 + 300, "i  functions: Finished"),
      at(t0 + 9000, "⚠  functions: after the file ran"),
    ].join("\n");
    expect(windowLines(log, t0, t0 + 1000)).toEqual([at(t0 + 200, "⚠  functions: Error: refund failed")]);
    const quiet = [at(t0 + 100, "i  functions: Beginning execution"), at(t0 + 200, "i  functions: step"), at(t0 + 300, "i  functions: Finished")].join("\n");
    expect(windowLines(quiet, t0, t0 + 1000, 2)).toEqual([at(t0 + 200, "i  functions: step"), at(t0 + 300, "i  functions: Finished")]);
  });
});
