// Quality gate for detectSpike on the labelled suites (spike-suites.ts, labels in spike-truth.ts).
// The suites are seeded, so the figures are the same on every run; `npm run spikes` prints the
// tables below (SPIKE_TABLE_OUT) for docs/spike-detection.md.
import fs from "node:fs";
import { detectSpike } from "../../src/reports/anomaly";
import { evaluate, knownNoiseReference, scoreTable, type Detect, type Evaluation } from "./spike-evaluate";
import { MIX_BOUNDARY, SUITE_A_SEED, SUITE_B_SEED, mixedSuite, shapeSuite } from "./spike-suites";

const detector: Detect = (history, current) => detectSpike(history, current).isSpike;
/** Seed 004's rule: "more than twice the average" of the earlier weeks. */
const twiceTheMean: Detect = (history, current) => history.length > 0 && current > (2 * history.reduce((a, b) => a + b, 0)) / history.length;

const a = shapeSuite();
const tune = evaluate(a.tune, detector);
const heldOut = evaluate(a.heldOut, detector);
const b = mixedSuite();
const suiteB = evaluate(b, detector);
const boundary = evaluate(shapeSuite(SUITE_A_SEED, MIX_BOUNDARY).heldOut, detector);

function figures(e: Evaluation): string {
  return `precision ${e.overall.precision?.toFixed(3)}, recall ${e.overall.recall?.toFixed(3)} (${e.overall.fp} false alarms, ${e.overall.fn} misses)`;
}

afterAll(() => {
  // Printed so every run shows where the detector stands; the tables come from `npm run spikes`.
  console.log(`held-out A: ${figures(heldOut)}\nB: ${figures(suiteB)}\nboundary stress: ${figures(boundary)}`);
  const out = process.env.SPIKE_TABLE_OUT;
  if (!out) return;
  const overall = scoreTable([
    [`A, tune half (defaults chosen here; seed ${SUITE_A_SEED})`, tune.overall],
    ["**A, held-out half**", heldOut.overall],
    [`**B, other generator (seed ${SUITE_B_SEED})**`, suiteB.overall],
    ["A held-out, boundary stress: spikes from 2.5×, bumps in every shape", boundary.overall],
    ["seed 004's rule (> 2× the mean) on A held-out", evaluate(a.heldOut, twiceTheMean).overall],
    ["seed 004's rule (> 2× the mean) on B", evaluate(b, twiceTheMean).overall],
    ["reference that knows the true noise, on A held-out", knownNoiseReference(a.heldOut)],
    ["reference that knows the true noise, on B", knownNoiseReference(b)],
  ], "suite");
  const sections = [
    "### Overall", overall,
    "### A, held-out half, per shape", scoreTable(heldOut.byShape, "shape"),
    "### A, held-out half, per event in the current week", scoreTable(heldOut.byEvent, "event"),
    "### B, per ingredient (a series counts under each it has)", scoreTable(suiteB.byShape, "ingredient"),
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

  it("stays near that on suite B, built by another generator and never tuned on", () => {
    // A regression guard, not the acceptance bar (which is the held-out half): B's short,
    // overdispersed series hold even an estimator that knows the true noise to about 0.97–0.99
    // (knownNoiseReference), and this detector to 0.95–0.97 (docs/spike-detection.md).
    expect(suiteB.overall.precision).toBeGreaterThanOrEqual(0.94);
    expect(suiteB.overall.recall).toBeGreaterThanOrEqual(0.94);
  });

  it("keeps 1.5–2.4× bumps quiet and never calls a new series a spike", () => {
    const shape = (name: string) => heldOut.byShape.find(([k]) => k === name)![1];
    const bumps = shape("1.5–2.4× bumps (quiet)");
    expect(bumps.fp / (bumps.series - bumps.spikes)).toBeLessThan(0.1);
    expect(shape("new series (no history)").fp).toBe(0);
  });

  it("beats seed 004's 'twice the average' rule on both suites", () => {
    for (const [cases, e] of [[a.heldOut, heldOut], [b, suiteB]] as const) {
      const naive = evaluate(cases, twiceTheMean).overall;
      expect(e.overall.fp).toBeLessThan(naive.fp / 5);
      expect(e.overall.precision!).toBeGreaterThan(naive.precision!);
    }
  });
});
