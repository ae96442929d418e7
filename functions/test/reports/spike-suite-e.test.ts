// Sanity of suite E's generator only: its size, determinism, share of true spikes and well-formed
// counts. It deliberately runs no detector: suite E is a check that was never tuned on.
import { SUITE_E_SEED, SUITE_E_TAGS, fifthSuite } from "./spike-suite-e";

describe("suite E (spike-suite-e.ts)", () => {
  const suite = fifthSuite();

  test("has 2000 series, all of suite E, and is deterministic", () => {
    expect(suite).toHaveLength(2000);
    expect(suite.every((s) => s.suite === "E")).toBe(true);
    expect(fifthSuite()).toEqual(suite);
    expect(fifthSuite(2000, SUITE_E_SEED)).toEqual(suite);
  });

  test("between 15 % and 40 % of series are true spikes", () => {
    const share = suite.filter((s) => s.spike).length / suite.length;
    expect(share).toBeGreaterThanOrEqual(0.15);
    expect(share).toBeLessThanOrEqual(0.4);
  });

  test("a series with no history is never a spike", () => {
    const fresh = suite.filter((s) => s.history.length === 0);
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.every((s) => !s.spike)).toBe(true);
  });

  test("histories hold 0–12 weeks and every count is a non-negative integer", () => {
    for (const s of suite) {
      expect(s.history.length).toBeLessThanOrEqual(12);
      for (const c of [...s.history, s.current]) {
        expect(Number.isInteger(c)).toBe(true);
        expect(c).toBeGreaterThanOrEqual(0);
      }
      expect(s.mean).toBeGreaterThan(0);
    }
  });

  test("every ingredient tag appears, and no unknown one", () => {
    const seen = new Set(suite.flatMap((s) => s.shape.split(", ")));
    for (const tag of SUITE_E_TAGS) expect(seen).toContain(tag);
    for (const tag of seen) expect([...SUITE_E_TAGS, "plain"]).toContain(tag);
  });
});
