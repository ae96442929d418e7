import { detectSpike, MIN_RATIO_FLOOR } from "../../src/reports/anomaly";
import { logGamma, logUpperTail } from "../../src/reports/tail";

const flat1000 = [1000, 1010, 990, 1005, 995, 1000];

describe("detectSpike on hand-made series", () => {
  it.each([
    ["1 → 3 is not a spike (too few events)", [1, 1, 1, 1, 1, 1], 3, false],
    ["0 → 2 is not a spike", [0, 0, 0, 0], 2, false],
    ["40 → 120 over a flat history is", [40, 42, 38, 41, 39, 40, 43, 37], 120, true],
    ["steady linear growth stays quiet", [10, 20, 30, 40, 50, 60, 70, 80], 90, false],
    ["a 3× week after steady linear growth is a spike", [10, 20, 30, 40, 50, 60, 70, 80], 270, true],
    ["doubling with a short history stays quiet", [10, 20, 40], 80, false],
    // Growing ~25 % a week: projecting the growth (not the mean of the last weeks) keeps 2× quiet.
    ["a 1.8× bump on a series growing fast stays quiet", [86, 93, 90, 124, 153, 195, 242], 512, false],
    ["a 3× week on a series growing fast is a spike", [86, 93, 90, 124, 153, 195, 242], 860, true],
    ["a slow decline, then 2.8× its level, is a spike", [100, 90, 81, 73, 66, 59, 53, 48], 150, true],
    ["an earlier spike does not hide the next", [40, 40, 200, 40, 40, 40, 40, 40], 200, true],
    ["an earlier spike does not raise the bar for normal weeks", [40, 40, 200, 40, 40, 40, 40, 40], 45, false],
    ["a new level that held for two weeks is not a spike", [40, 40, 40, 40, 40, 40, 120, 125], 122, false],
    ["one week of history, 3× jump", [40], 120, true],
    ["one week of history, 1.75× jump", [40], 70, false],
    ["zeros then a burst", [0, 0, 0, 0, 0, 0, 0, 0], 50, true],
    ["zeros then 3", Array(10).fill(0), 3, false],
    ["a drop is not a spike", [100, 100, 100, 100, 100], 10, false],
    ["large flat volume, +15 % is not a spike", flat1000, 1150, false],
    ["large flat volume, 2× is significant but not a spike", flat1000, 2000, false],
    ["large flat volume, 3× is a spike", flat1000, 3000, true],
  ])("%s", (_name, history, current, expected) => {
    const r = detectSpike(history as number[], current as number);
    expect(r.isSpike).toBe(expected);
    expect(Number.isFinite(r.score)).toBe(true);
    expect(r.reason).toMatch(expected ? /^Usage spike: / : /^No spike: /);
  });

  it("calls a series without history new, never a spike", () => {
    const r = detectSpike([], 500, { subject: "user u1" });
    expect(r).toEqual({ isSpike: false, baseline: 0, score: 0, reason: "New series for user u1: 500 generations in its first week; no earlier week to compare with, so not judged a spike." });
  });

  it("writes the operator sentence: subject, metric, expected level and what it came from", () => {
    const r = detectSpike([40, 41, 39, 40, 42, 38, 40, 40], 120, { subject: "model B", metric: "generations" });
    expect(r.isSpike).toBe(true);
    expect(r.baseline).toBe(40);
    expect(r.reason).toBe("Usage spike for model B: 120 generations this week, expected about 40 from the last 8 weeks: 3.0× the expected level; chance below 1 in a million under normal variation.");
    expect(detectSpike([1, 1, 1, 1], 3, { subject: "user u1" }).reason).toBe(
      "No spike for user u1: 3 generations this week, expected about 1 from the last 4 weeks; fewer than 10 generations, too few to call a spike.",
    );
    expect(detectSpike(flat1000, 2000, { metric: "credits" }).reason).toBe(
      "No spike: 2000 credits this week, expected about 1000 from the last 6 weeks; 2.0× the expected level, below the 2.5× a spike needs.",
    );
  });

  it("says when a series is new, and when the expectation comes from a trend or a new level", () => {
    expect(detectSpike([40, 44], 200).reason).toMatch(/expected about 42 from the last 2 weeks \(a new series: 2 earlier weeks\): 4\.7× the expected level/);
    expect(detectSpike([10, 20, 30, 40, 50, 60, 70, 80], 90).reason).toContain("expected about 90 from the trend of the last 8 weeks");
    expect(detectSpike([40, 40, 40, 40, 40, 40, 120, 125], 122).reason).toContain("expected about 123 from the 2 weeks since usage moved to a new level");
  });

  it("scores by the chance of the week under normal variation and explains a rejected lift", () => {
    // Weeks swinging ±70 % make 3× plausible: the lift is there, the surprise is not.
    const r = detectSpike([70, 10, 65, 15, 60, 20, 12, 68], 120);
    expect(r.isSpike).toBe(false);
    expect(r.reason).toMatch(/3\.0× the expected level, but within this series' normal variation \(chance about 1 in [\d,]+\)\.$/);
    expect(r.score).toBeLessThan(3);
    expect(detectSpike([40, 40, 40, 40], 400).score).toBeGreaterThan(detectSpike([40, 40, 40, 40], 200).score);
  });

  it("honours threshold options, and never goes below a 2× lift", () => {
    const h = [40, 41, 39, 40, 42, 38, 40, 40];
    expect(detectSpike(h, 90).isSpike).toBe(false);
    expect(detectSpike(h, 90, { minRatio: 2 }).isSpike).toBe(true);
    expect(detectSpike(h, 120, { maxTailProbability: 1e-30 }).isSpike).toBe(false);
    expect(detectSpike([1, 1, 1, 1, 1, 1], 8, { minCount: 5 }).isSpike).toBe(true);
    expect(() => detectSpike(h, 90, { minRatio: MIN_RATIO_FLOOR - 0.1 })).toThrow(RangeError);
    expect(() => detectSpike(h, 90, { maxTailProbability: 0 })).toThrow(RangeError);
  });

  it("treats weeks without any usage as a pause, not as a level of 0", () => {
    // Back from a three-week pause at the usual volume: normal; at three times it: a spike.
    const paused = [893, 922, 914, 944, 0, 0, 0];
    const back = detectSpike(paused, 948);
    expect(back.isSpike).toBe(false);
    expect(back.reason).toBe("No spike: 948 generations this week, expected about 929 from the last 7 weeks, leaving out 3 weeks without usage; 1.0× the expected level, below the 2.5× a spike needs.");
    expect(detectSpike(paused, 2900).isSpike).toBe(true);
    // A pause inside the history keeps its place in time: the growth around it is still projected.
    expect(detectSpike([100, 120, 0, 0, 170, 190, 210, 230], 250).isSpike).toBe(false);
    // Zeros a low-volume series makes plausible are its level: 0 → 0 → 1 → 0, then 12 is a spike.
    expect(detectSpike([0, 1, 0, 0, 1, 0], 12).isSpike).toBe(true);
    expect(detectSpike([0, 1, 0, 0, 1, 0], 12).reason).not.toContain("without usage");
  });

  it("does not project a growth the latest weeks no longer show", () => {
    // Growth to 300, then two weeks back near 115: the trend through all eight weeks would expect
    // about 1,000 and hide a 600; it is held to 1.5× the higher of the last two weeks.
    const turned = [40, 60, 90, 135, 200, 300, 120, 110];
    expect(detectSpike(turned, 600).reason).toBe("Usage spike: 600 generations this week, expected about 181 from the last 2 weeks with usage, where the growth of the last 8 weeks stalled: 3.3× the expected level; chance below 1 in a million under normal variation.");
    expect(detectSpike(turned, 150).isSpike).toBe(false);
  });

  it("uses only the most recent maxHistory weeks", () => {
    const h = [...Array(20).fill(400), ...Array(12).fill(40)];
    expect(detectSpike(h, 130).isSpike).toBe(true);
    expect(detectSpike(h, 130, { maxHistory: 32 }).reason).toContain("since usage moved to a new level");
  });
});

describe("count tail probabilities", () => {
  it("match the summed probabilities of Poisson and negative binomial counts", () => {
    const brute = (c: number, mu: number, phi: number) => {
      const r = 1 / phi;
      const p = r / (r + mu);
      const logPmf = (k: number) =>
        phi === 0 ? -mu + k * Math.log(mu) - logGamma(k + 1) : logGamma(k + r) - logGamma(r) - logGamma(k + 1) + r * Math.log(p) + k * Math.log(1 - p);
      let sum = 0;
      for (let k = c; k < c + 20_000; k++) sum += Math.exp(logPmf(k));
      return sum;
    };
    for (const [c, mu, phi] of [[10, 3, 0], [100, 40, 0], [5, 5, 0], [3, 10, 0], [30, 10, 0.1], [100, 40, 0.05], [12, 3, 0.5], [2, 10, 0.2], [2500, 1000, 0.02], [15, 0.2, 0]]) {
      const got = Math.exp(logUpperTail(c, mu, phi));
      expect(Math.abs(got - brute(c, mu, phi)) / brute(c, mu, phi)).toBeLessThan(1e-6);
    }
  });

  it("stay finite in logs far beyond double precision", () => {
    expect(logUpperTail(3000, 1000, 0)).toBeCloseTo(-1300.35, 1);
    expect(logUpperTail(0, 5, 0)).toBe(0);
    expect(logUpperTail(1, 0, 0)).toBe(-Infinity);
  });
});
