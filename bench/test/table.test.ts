import { formatMetric, formatNumber, renderTable, replaceBetweenMarkers } from "../lib/table.mjs";

const machine = { cpu: "Test CPU @ 2.0GHz", cores: 2, ramGiB: 24, os: "Linux 6.1 (x64)", node: "v20.19.0", date: "2026-11-21T23:00:00.000Z", commit: "abc1234", dirty: false };
const m = (over: Record<string, unknown>) => ({ key: "k", label: "x", unit: "ms", digits: 0, median: 10, min: 8, max: 12, n: 3, ...over });

describe("bench table", () => {
  it("formats a figure as median (min–max) with its unit", () => {
    expect(formatMetric(m({}))).toBe("10 (8–12) ms");
    expect(formatMetric(m({ n: 1 }))).toBe("10 ms");
    expect(formatMetric(m({ min: 10, max: 10 }))).toBe("10 ms");
    expect(formatMetric(m({ unit: "", digits: 3, median: 0.9712, min: 0.95, max: 0.98 }))).toBe("0.971 (0.95–0.98)");
    expect(formatNumber(12345.6)).toBe("12,346");
    expect(formatNumber(null)).toBe("–");
  });

  it("renders the machine line, one row per case, baselines, ratios and targets", () => {
    const table = renderTable({
      machine,
      benchmarks: [{
        name: "dispatch", title: "Dispatch overhead", command: "npm run bench -- dispatch", repeats: 3, workload: "40 jobs",
        cases: [
          { label: "T = 1 s", metrics: [m({ label: "utilisation", unit: "", digits: 2, median: 0.97, min: 0.96, max: 0.98 })], baseline: { label: "GPU alone", metrics: [m({ label: "", unit: "s", median: 40, min: 40, max: 40 })] }, ratios: [{ label: "wall/GPU", value: 1.03 }] },
          { label: "T = 0", metrics: [m({ label: "per job" })], split: [m({ label: "claim", median: 9 }), m({ label: "store", median: 38 })] },
        ],
        targets: [{ label: "utilisation", target: "≥ 0.95", actual: "0.97", met: true }, { label: "overhead", target: "< 150 ms", actual: "170 ms", met: false }],
      }],
    });
    const lines = table.split("\n");
    expect(lines[0]).toBe("Measured on 2 × Test CPU @ 2.0GHz, 24 GiB RAM, Linux 6.1 (x64), Node v20.19.0; commit abc1234, 2026-11-21 23:00 UTC. Figures: median (min–max) over the repeated runs shown.");
    expect(lines).toContain("| **Dispatch overhead** | T = 1 s | utilisation **0.97 (0.96–0.98)** | GPU alone: 40 s → wall/GPU 1.03× |");
    expect(lines).toContain("|  | T = 0 | per job **10 (8–12) ms**; split: claim 9 ms, store 38 ms | – |");
    expect(lines).toContain("- ✅ utilisation: 0.97 (target ≥ 0.95)");
    expect(lines).toContain("- ❌ overhead: 170 ms (target < 150 ms)");
    expect(lines).toContain("- **Dispatch overhead** (`npm run bench -- dispatch`, 3 runs): 40 jobs");
  });

  it("replaces only the region between the markers, and refuses a text without them", () => {
    const text = "before\n<!-- bench:begin -->\nold\n<!-- bench:end -->\nafter\n";
    expect(replaceBetweenMarkers(text, "new")).toBe("before\n<!-- bench:begin -->\nnew\n<!-- bench:end -->\nafter\n");
    expect(() => replaceBetweenMarkers("no markers", "new")).toThrow(/markers/);
  });
});
