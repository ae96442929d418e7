// Quality gate for detectSpike on the labelled suites (spike-suites.ts, labels in spike-truth.ts).
// The suites are seeded, so the figures are the same on every run; `npm run spikes` prints the
// tables below (SPIKE_TABLE_OUT) for docs/spike-detection.md.
import fs from "node:fs";
import { SPIKE_DEFAULTS, detectSpike } from "../../src/reports/anomaly";
import { estimateBaseline } from "../../src/reports/baseline";
import { evaluate, knownLevelReference, knownNoiseReference, scoreTable, type Detect, type Evaluation } from "./spike-evaluate";
import { SUITE_C_SEED, thirdSuite } from "./spike-suite-c";
import { SUITE_D_SEED, fourthSuite } from "./spike-suite-d";
import { SUITE_E_SEED, fifthSuite } from "./spike-suite-e";
import { MIX_BOUNDARY, SUITE_A_SEED, SUITE_B_SEED, mixedSuite, shapeSuite } from "./spike-suites";

const detector: Detect = (history, current) => detectSpike(history, current).isSpike;
/** Seed 004's rule: "more than twice the average" of the earlier weeks. */
const twiceTheMean: Detect = (history, current) => history.length > 0 && current > (2 * history.reduce((a, b) => a + b, 0)) / history.length;

const a = shapeSuite();
const tune = evaluate(a.tune, detector);
const heldOut = evaluate(a.heldOut, detector);
const b = mixedSuite();
const suiteB = evaluate(b, detector);
// Suite C was generated with a seed fixed before the last round of tuning and scored only after it.
const c = thirdSuite();
const suiteC = evaluate(c, detector);
// Suites D and E were each written by someone who never read or ran the detector, and scored
// once with the detector frozen (commit ed6cd0b); nothing was tuned on them before that score.
// Since then both were looked at: the stalled-trend cap (fe8d7e7) came from one of E's errors and
// was kept on the figures of every suite, D and E included, so they are tuning suites now.
const d = fourthSuite();
const suiteD = evaluate(d, detector);
const e = fifthSuite();
const suiteE = evaluate(e, detector);
const boundary = evaluate(shapeSuite(SUITE_A_SEED, MIX_BOUNDARY).heldOut, detector);

/** The detector's own estimate of a series' noise (φ), for the reference that is given the true level. */
const ownNoise = (history: number[]) => estimateBaseline(history.slice(-SPIKE_DEFAULTS.maxHistory), SPIKE_DEFAULTS).dispersion;

function figures(e: Evaluation): string {
  return `precision ${e.overall.precision?.toFixed(3)}, recall ${e.overall.recall?.toFixed(3)} (${e.overall.fp} false alarms, ${e.overall.fn} misses)`;
}

afterAll(() => {
  // Printed so every run shows where the detector stands; the tables come from `npm run spikes`.
  console.log(`held-out A: ${figures(heldOut)}\nB: ${figures(suiteB)}\nC: ${figures(suiteC)}\nD: ${figures(suiteD)}\nE: ${figures(suiteE)}\nboundary stress: ${figures(boundary)}`);
  const out = process.env.SPIKE_TABLE_OUT;
  if (!out) return;
  const overall = scoreTable([
    [`A, tune half (defaults chosen here; seed ${SUITE_A_SEED})`, tune.overall],
    ["**A, held-out half**", heldOut.overall],
    [`B, other generator (seed ${SUITE_B_SEED}; tuned on since)`, suiteB.overall],
    [`C, third generator (seed ${SUITE_C_SEED}; tuned on since its first score)`, suiteC.overall],
    [`**D, fourth generator (first scored untuned at 0.936 / 0.926, looked at since; seed ${SUITE_D_SEED})**`, suiteD.overall],
    [`**E, fifth generator, sums of users (first scored untuned at 0.903 / 0.920, looked at since; seed ${SUITE_E_SEED})**`, suiteE.overall],
    ["A held-out, boundary stress: spikes from 2.5×, bumps in every shape", boundary.overall],
    ["seed 004's rule (> 2× the mean) on A held-out", evaluate(a.heldOut, twiceTheMean).overall],
    ["seed 004's rule (> 2× the mean) on B", evaluate(b, twiceTheMean).overall],
    ["seed 004's rule (> 2× the mean) on C", evaluate(c, twiceTheMean).overall],
    ["seed 004's rule (> 2× the mean) on D", evaluate(d, twiceTheMean).overall],
    ["seed 004's rule (> 2× the mean) on E", evaluate(e, twiceTheMean).overall],
    ["reference that knows the true noise, on A held-out", knownNoiseReference(a.heldOut)],
    ["reference that knows the true noise, on B", knownNoiseReference(b)],
    ["reference that knows the true noise, on C", knownNoiseReference(c)],
    ["reference that knows the true noise, on D", knownNoiseReference(d)],
    ["reference that knows the true noise, on E", knownNoiseReference(e)],
    ["the detector's rule with the true level, on A held-out", knownLevelReference(a.heldOut, ownNoise)],
    ["the detector's rule with the true level, on B", knownLevelReference(b, ownNoise)],
    ["the detector's rule with the true level, on C", knownLevelReference(c, ownNoise)],
    ["the detector's rule with the true level, on D", knownLevelReference(d, ownNoise)],
    ["the detector's rule with the true level, on E", knownLevelReference(e, ownNoise)],
  ], "suite");
  const sections = [
    "### Overall", overall,
    "### A, held-out half, per shape", scoreTable(heldOut.byShape, "shape"),
    "### A, held-out half, per event in the current week", scoreTable(heldOut.byEvent, "event"),
    "### B, per ingredient (a series counts under each it has)", scoreTable(suiteB.byShape, "ingredient"),
    "### C, per ingredient (a series counts under each it has)", scoreTable(suiteC.byShape, "ingredient"),
    "### D, per ingredient (a series counts under each it has)", scoreTable(suiteD.byShape, "ingredient"),
    "### E, per ingredient (a series counts under each it has)", scoreTable(suiteE.byShape, "ingredient"),
  ];
  fs.writeFileSync(out, sections.join("\n\n") + "\n");
});


describe("detectSpike on the labelled suites", () => {
  it("holds precision and recall at 0.97 or more on the held-out half of suite A", () => {
    expect(heldOut.overall.series).toBe(2400);
    expect(heldOut.overall.spikes).toBeGreaterThan(500);
    expect(heldOut.overall.precision).toBeGreaterThanOrEqual(0.97);
    expect(heldOut.overall.recall).toBeGreaterThanOrEqual(0.97);
  });

  it("stays near that on suite B, built by another generator", () => {
    // A regression guard, not the acceptance bar (which is the held-out half): B's short,
    // overdispersed series hold even an estimator that knows the true noise to about 0.97–0.99
    // (knownNoiseReference), and this detector to 0.96–0.97 (docs/spike-detection.md).
    expect(suiteB.overall.precision).toBeGreaterThanOrEqual(0.95);
    expect(suiteB.overall.recall).toBeGreaterThanOrEqual(0.95);
  });

  it("does not fall further on suite C, the third generator", () => {
    // A regression guard at the figures measured after pauses were read as absences (0.915 /
    // 0.915; 0.858 / 0.934 before), below the 0.97 goal: docs/spike-detection.md says which of
    // C's series the detector misreads. C has been tuned on since; suite D is the untouched check.
    expect(suiteC.overall.series).toBe(2000);
    expect(suiteC.overall.precision).toBeGreaterThanOrEqual(0.9);
    expect(suiteC.overall.recall).toBeGreaterThanOrEqual(0.9);
  });

  it("does not fall below its first scores on suites D and E, the generators first scored untuned", () => {
    // First scores with the detector frozen, both below the 0.97 goal: D 0.936 / 0.926, E 0.903 /
    // 0.920 (the reference that knows the true noise: 0.970 / 0.976 and 0.982 / 0.978); E is
    // 0.904 / 0.929 since the stalled-trend cap. Guards against regressions, not the bar.
    expect(suiteD.overall.series).toBe(2000);
    expect(suiteD.overall.precision).toBeGreaterThanOrEqual(0.93);
    expect(suiteD.overall.recall).toBeGreaterThanOrEqual(0.92);
    expect(suiteE.overall.series).toBe(2000);
    expect(suiteE.overall.precision).toBeGreaterThanOrEqual(0.9);
    expect(suiteE.overall.recall).toBeGreaterThanOrEqual(0.91);
  });

  it("keeps 1.5–2.4× bumps quiet and never calls a new series a spike", () => {
    const shape = (name: string) => heldOut.byShape.find(([k]) => k === name)![1];
    const bumps = shape("1.5–2.4× bumps (quiet)");
    expect(bumps.fp / (bumps.series - bumps.spikes)).toBeLessThan(0.1);
    expect(shape("new series (no history)").fp).toBe(0);
  });

  it("beats seed 004's 'twice the average' rule on every suite", () => {
    for (const [cases, scored] of [[a.heldOut, heldOut], [b, suiteB]] as const) {
      const naive = evaluate(cases, twiceTheMean).overall;
      expect(scored.overall.fp).toBeLessThan(naive.fp / 5);
      expect(scored.overall.precision!).toBeGreaterThan(naive.precision!);
    }
    // On C, D and E a fifth as many false alarms as the naive rule's or fewer (docs/spike-detection.md).
    for (const [cases, scored] of [[c, suiteC], [d, suiteD], [e, suiteE]] as const) {
      const naive = evaluate(cases, twiceTheMean).overall;
      expect(scored.overall.fp).toBeLessThan(naive.fp / 5);
      expect(scored.overall.precision!).toBeGreaterThan(naive.precision! + 0.2);
    }
  });
});
