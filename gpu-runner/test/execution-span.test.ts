import { executionSpanMs } from "../src/comfy/history";
import type { HistoryEntry } from "../src/comfy/types";

const entry = (messages: [string, Record<string, unknown>][]): HistoryEntry => ({ outputs: {}, status: { status_str: "success", completed: true, messages } });

describe("executionSpanMs (ComfyUI's execution time from its history messages)", () => {
  it("spans execution_start to execution_success, ignoring what came before the start", () => {
    expect(executionSpanMs(entry([["execution_start", { timestamp: 1_000 }], ["execution_cached", { timestamp: 1_001 }], ["execution_success", { timestamp: 3_250 }]]))).toBe(2_250);
  });

  it("ends at execution_error or execution_interrupted for a failed prompt", () => {
    expect(executionSpanMs(entry([["execution_start", { timestamp: 10 }], ["execution_error", { timestamp: 510 }]]))).toBe(500);
    expect(executionSpanMs(entry([["execution_start", { timestamp: 10 }], ["execution_interrupted", { timestamp: 70 }]]))).toBe(60);
  });

  it("is null without both stamped messages (old builds, no status), or when the clock went backwards", () => {
    expect(executionSpanMs(entry([["execution_start", {}], ["execution_success", { timestamp: 5 }]]))).toBeNull();
    expect(executionSpanMs(entry([["execution_start", { timestamp: 5 }]]))).toBeNull();
    expect(executionSpanMs({ outputs: {} })).toBeNull();
    expect(executionSpanMs(entry([["execution_start", { timestamp: 9 }], ["execution_success", { timestamp: 5 }]]))).toBeNull();
  });
});
