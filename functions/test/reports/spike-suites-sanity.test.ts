// Sanity of the generators of suites D and E only: size, determinism, share of true spikes and
// well-formed counts. It deliberately runs no detector: D and E are the checks never tuned on.
import type { LabelledSeries } from "./spike-truth";
import { SUITE_D_SEED, SUITE_D_TAGS, fourthSuite } from "./spike-suite-d";
import { SUITE_E_SEED, SUITE_E_TAGS, fifthSuite } from "./spike-suite-e";

const suites: [string, (size?: number, seed?: number) => LabelledSeries[], number, readonly string[]][] = [
  ["D", fourthSuite, SUITE_D_SEED, SUITE_D_TAGS],
  ["E", fifthSuite, SUITE_E_SEED, SUITE_E_TAGS],
];

describe.each(suites)("suite %s", (name, make, seed, tags) => {
  const suite = make();

  test("has 2000 series, all of the suite, and is deterministic", () => {
    expect(suite).toHaveLength(2000);
    expect(suite.every((s) => s.suite === name)).toBe(true);
    expect(make()).toEqual(suite);
    expect(make(2000, seed)).toEqual(suite);
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
    for (const tag of tags) expect(seen).toContain(tag);
    for (const tag of seen) expect([...tags, "plain"]).toContain(tag);
  });
});
