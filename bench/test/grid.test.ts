import { gridCases, gridCells, gridTargets } from "../lib/grid.mjs";

const run = (p99: number, over: Record<string, unknown> = {}) => ({ perSecond: 10, p50: p99 / 2, p99, failed: 0, codes: {}, commitsPerCreate: 0.5, conflictsPerCreate: 0, ...over });

describe("ledger grid", () => {
  it("spans lanes {10, 50} × instances {1, 2, 5} × {1, 50} accounts unless narrowed", () => {
    expect(gridCells({})).toHaveLength(12);
    expect(gridCells({ BENCH_GRID_LANES: "10", BENCH_GRID_INSTANCES: "2", BENCH_GRID_ACCOUNTS: "1,50" })).toEqual([
      { lanes: 10, instances: 2, accounts: 1 }, { lanes: 10, instances: 2, accounts: 50 },
    ]);
  });

  it("puts the baseline of the same run beside each cell, with p99 before / after", () => {
    const [c] = gridCases([{ cell: { lanes: 10, instances: 1, accounts: 1 }, runs: { after: [run(200), run(300)], before: [run(20_000), run(12_000)] } }], { name: "before", label: "before (abc), same run" });
    expect(c.label).toBe("in process: 1 account, 10 lanes, 1 instance");
    expect(c.metrics.find((m: any) => m.key === "p99")).toMatchObject({ median: 200, min: 200, max: 300 });
    expect(c.baseline.label).toBe("before (abc), same run");
    expect(c.ratios[0]).toMatchObject({ label: "p99 before / after", value: 40 });
  });

  it("checks 1 account against 50 at the same lanes and instances, and failures at 50 lanes", () => {
    const cells = [
      { cell: { lanes: 10, instances: 1, accounts: 1 }, runs: { after: [run(300)] } },
      { cell: { lanes: 10, instances: 1, accounts: 50 }, runs: { after: [run(200)] } },
      { cell: { lanes: 50, instances: 1, accounts: 1 }, runs: { after: [run(900, { failed: 1 })] } },
      { cell: { lanes: 50, instances: 1, accounts: 50 }, runs: { after: [run(300)] } },
    ];
    const [ratio, failed] = gridTargets(gridCases(cells, null));
    expect(ratio).toMatchObject({ actual: "10×1: 1.50×, 50×1: 3.00×", met: false });
    expect(failed).toMatchObject({ actual: "1", met: false });
  });
});
