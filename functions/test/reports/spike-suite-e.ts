// Suite E: a fifth labelled suite for the spike detector, written as an honest check that was never
// tuned on. Its seed (SUITE_E_SEED) was fixed when the file was written, before any detector was
// scored on it; the generator was designed without reading or running the detector, and no detector
// figures were looked at while choosing its ingredients or ranges.
//
// Unlike A–D, which bend one level with a curve, suite E builds each weekly series the way real
// usage of an image-generation service arises: as the sum of its members (users, sessions, API
// keys behind a model or a deployment), each with a mean of its own, plus platform-wide effects
// that move every member at once. The week's true mean is the sum of the members' means times the
// platform factor. Histories hold only the weeks since the series began, oldest first: about a
// fifth are short (0–4 weeks), the rest have 5–12. Ingredients, each drawn per series:
// - members: "single user" (~40 %), a team of 2–7 (no tag), or a "crowd" of 8–40; each member's
//   own weekly level is log-normal (median 8, σ 1.4, kept within 0.15–2,500 generations), and half
//   the series count credits instead (1–6 a generation), so a series' level spans ≈0.3 to ≈10,000
//   a week, and crowds smooth out what single users show raw;
// - per member (a series can have several of these, on different members):
//   - "user joins": a member arrives during the history and ramps up to their level over 1–4
//     weeks (a new teammate, a new app using the key);
//   - "user leaves": a member leaves, at once or fading by 30–70 % a week (a cancelled plan);
//   - "user grows": a member compounds 4–18 % a week (a workflow catching on);
//   - "user churns": a member declines 4–15 % a week (drifting away);
//   - "user pauses": a member is away for 1–4 weeks and is back at their level for at least one
//     history week before the current week;
// - platform-wide:
//   - "model release": from some week on, everyone generates 1.3–3× as much, decaying with a
//     half-life of 1–5 weeks towards a lasting 20–80 % of that lift (a new model everyone tries);
//   - "holiday season": 1–4 consecutive weeks at about 30–75 % of the usual level (one depth for
//     the season, each week within ±15 % of it), either over and done
//     at least one history week before the current week, or still running in the current week
//     when it began at least 2 active history weeks before it (the season is already visible);
//   - "outage": one history week at 0–40 % of its mean (the service was down part of the week);
//   - "batch job": one or two history weeks with a one-off job adding 2–20× the week's mean;
// - absences of the whole series:
//   - "all quiet then back": 2–5 weeks of zeros inside the history, then at least one history
//     week back on the members' curve before the current week;
//   - "returning": zeros run from 2–6 weeks back up to the current week, and the current week's
//     true mean is the series' level from before the absence (they come back: normal, not a spike,
//     unless the current-week event multiplies it);
// - noise: Poisson, or ("overdispersed") negative binomial with a per-series dispersion φ, more
//   likely and wider for a single user (70 %, φ log-uniform 0.01–0.5) than for a team or crowd
//   (40 %, φ 0.002–0.08), since one person's usage is burstier than a crowd's;
// - "new" (no history), "short" (1–4 weeks), "low counts" (current true mean below 5) name the
//   cases where there is little to go on.
// Every change to the current week's true mean follows from something visible in the history: a
// member who joined, left or paused did so with at least 2 active history weeks showing it (a
// pause ends with at least one history week back), a ramp, growth or decline already under way, a
// release or a holiday season that began at least 2 active history weeks before, the level before
// an absence. Nothing new starts in the current week except its event: a spike (~30 %,
// 3·exp(|N(0, 0.75)|), kept within 3–15×: heavy-ish tailed), a quiet bump (~15 %, log-uniform
// 1.4–2.4×), or none.
// Labels come from the realized count against the true mean and noise, by the rule shared with
// A–D (spike-truth.ts `labelled`/`isTrueSpike`).
import { rng } from "../../../test-support/rng";
import { intBetween, labelled, logUniform, normal, uniform, type Event, type LabelledSeries, type Rand } from "./spike-truth";

export const SUITE_E_SEED = 64_290_117;

/** Every tag a series of suite E can carry in its `shape` (besides "plain"). */
export const SUITE_E_TAGS = [
  "single user", "crowd",
  "user joins", "user leaves", "user grows", "user churns", "user pauses",
  "model release", "holiday season", "outage", "batch job",
  "all quiet then back", "returning",
  "overdispersed", "new", "short", "low counts",
] as const;

/** The current week's event: a spike (3·e^|N(0,0.75)|, 3–15×), a quiet bump (1.4–2.4×), or none. */
function currentWeekEvent(rand: Rand): { event: Event; factor: number } {
  const u = rand();
  if (u < 0.3) {
    let factor = Infinity;
    while (factor > 15) factor = 3 * Math.exp(Math.abs(0.75 * normal(rand)));
    return { event: "spike", factor };
  }
  if (u < 0.45) return { event: "bump", factor: logUniform(rand, 1.4, 2.4) };
  return { event: "none", factor: 1 };
}

/** True weekly means (history weeks, then the current week) and the names of what shaped them. */
function means(rand: Rand, weeks: number): { m: number[]; tags: string[]; members: number } {
  const tags = new Set<string>();
  const span = weeks + 1; // history weeks 0..weeks-1, then the current week `weeks`

  // Absences of the whole series first, so every change can be placed where it is seen.
  const quiet = new Array<boolean>(weeks).fill(false);
  let returnsFrom = -1; // "returning": the current week takes this (the last active) week's level
  if (weeks >= 5 && rand() < 0.1) {
    if (rand() < 0.5) {
      const gap = intBetween(rand, 2, Math.min(5, weeks - 3));
      const start = intBetween(rand, 1, weeks - 1 - gap);
      for (let t = start; t < start + gap; t++) quiet[t] = true;
      tags.add("all quiet then back");
    } else {
      const gap = intBetween(rand, 2, Math.min(6, weeks - 2));
      const start = weeks - gap;
      for (let t = start; t < weeks; t++) quiet[t] = true;
      returnsFrom = start - 1;
      tags.add("returning");
    }
  }
  /** Active history weeks at or after week `s` (before the current week). */
  const activeFrom = (s: number) => quiet.filter((z, t) => t >= s && !z).length;
  /** Weeks from `lo` on that begin a change with at least two active history weeks showing it. */
  const visible = (lo: number) => Array.from({ length: weeks }, (_, t) => t).filter((t) => t >= lo && !quiet[t] && activeFrom(t) >= 2);
  const pickOf = (xs: number[]) => (xs.length ? xs[intBetween(rand, 0, xs.length - 1)] : -1);

  // Members and their own weekly means.
  const kind = rand();
  const n = kind < 0.4 ? 1 : kind < 0.8 ? intBetween(rand, 2, 7) : intBetween(rand, 8, 40);
  if (n === 1) tags.add("single user");
  else if (n >= 8) tags.add("crowd");
  // Counted in generations, or in credits (1–6 a generation, by model and resolution).
  const unit = rand() < 0.5 ? 1 : logUniform(rand, 1, 6);
  const total = new Array<number>(span).fill(0);
  for (let k = 0; k < n; k++) {
    const level = unit * Math.min(2500, Math.max(0.15, 8 * Math.exp(1.4 * normal(rand))));
    const own = new Array<number>(span).fill(level);
    // Member 0 founded the series: it is there from week 0 (or the series would not have begun)
    // and stays (so the series never ends at a true mean of 0); it only grows, churns or pauses.
    const r = k === 0 ? uniform(rand, 0.3, 1) : rand();
    if (r < 0.18) {
      const j = pickOf(visible(1));
      if (j >= 0) {
        const ramp = intBetween(rand, 1, 4);
        for (let t = 0; t < span; t++) own[t] = t < j ? 0 : level * Math.min(1, (t - j + 1) / ramp);
        tags.add("user joins");
      }
    } else if (r < 0.3) {
      const l = pickOf(visible(1));
      if (l >= 0) {
        const keep = rand() < 0.5 ? 0 : uniform(rand, 0.3, 0.7);
        for (let t = l; t < span; t++) own[t] = level * keep ** (t - l + 1);
        tags.add("user leaves");
      }
    } else if (r < 0.42) {
      const g = uniform(rand, 0.04, 0.18);
      for (let t = 0; t < span; t++) own[t] = level * (1 + g) ** t;
      tags.add("user grows");
    } else if (r < 0.54) {
      const d = uniform(rand, 0.04, 0.15);
      for (let t = 0; t < span; t++) own[t] = level * (1 - d) ** t;
      tags.add("user churns");
    } else if (r < 0.62 && weeks >= 4) {
      // Away for 1–4 weeks starting at week p ≥ 1, back for at least one active history week.
      const len = intBetween(rand, 1, Math.min(4, weeks - 2));
      const starts = Array.from({ length: weeks }, (_, t) => t).filter((p) => p >= 1 && p + len <= weeks - 1 && activeFrom(p + len) >= 1 && activeFrom(p) > activeFrom(p + len));
      const p = pickOf(starts);
      if (p >= 0) {
        for (let t = p; t < p + len; t++) own[t] = 0;
        tags.add("user pauses");
      }
    }
    for (let t = 0; t < span; t++) total[t] += own[t];
  }

  // Platform-wide effects on every member.
  const platform = new Array<number>(span).fill(1);
  if (weeks >= 3 && rand() < 0.14) {
    const s = pickOf(visible(1));
    if (s >= 0) {
      const [lift, lasting, halfLife] = [logUniform(rand, 1.3, 3), uniform(rand, 0.2, 0.8), uniform(rand, 1, 5)];
      for (let t = s; t < span; t++) platform[t] *= 1 + (lift - 1) * (lasting + (1 - lasting) * 0.5 ** ((t - s) / halfLife));
      tags.add("model release");
    }
  }
  const underlying = total.map((v, t) => v * platform[t]);
  const m = underlying.map((v, t) => (t < weeks && quiet[t] ? 0 : v));
  if (returnsFrom >= 0) m[weeks] = underlying[returnsFrom];

  if (weeks >= 2 && rand() < 0.2) {
    const len = intBetween(rand, 1, 4);
    const depth = uniform(rand, 0.3, 0.75);
    const ongoing = returnsFrom < 0 && rand() < 0.3;
    // Either it is over with at least one active history week after it, or it runs into the
    // current week having begun at least 2 active history weeks before it.
    const starts = ongoing
      ? visible(0).filter((h) => h + len >= weeks)
      : Array.from({ length: weeks }, (_, h) => h).filter((h) => h + len <= weeks - 1 && activeFrom(h + len) >= 1 && activeFrom(h) > activeFrom(h + len));
    const h = pickOf(starts);
    if (h >= 0) {
      const end = ongoing ? span : h + len;
      for (let t = h; t < end; t++) m[t] *= Math.min(0.9, depth * uniform(rand, 0.85, 1.15));
      tags.add("holiday season");
    }
  }

  if (weeks >= 3 && rand() < 0.1) {
    const t = intBetween(rand, 0, weeks - 1);
    if (!quiet[t] && m[t] > 0) {
      m[t] *= uniform(rand, 0, 0.4);
      tags.add("outage");
    }
  }
  if (weeks >= 3 && rand() < 0.12) {
    for (let k = intBetween(rand, 1, 2); k > 0; k--) {
      const t = intBetween(rand, 0, weeks - 1);
      const extra = logUniform(rand, 2, 20);
      if (quiet[t] || m[t] <= 0) continue;
      m[t] *= 1 + extra;
      tags.add("batch job");
    }
  }

  if (weeks === 0) tags.add("new");
  else if (weeks <= 4) tags.add("short");
  if (m[weeks] < 5) tags.add("low counts");
  return { m, tags: [...tags], members: n };
}

/** Suite E: `size` series, each named by the ingredients it has ("plain" when none). */
export function fifthSuite(size = 2000, seed = SUITE_E_SEED): LabelledSeries[] {
  const rand = rng(seed);
  const out: LabelledSeries[] = [];
  for (let i = 0; i < size; i++) {
    const weeks = rand() < 0.2 ? intBetween(rand, 0, 4) : intBetween(rand, 5, 12);
    const { m, tags, members } = means(rand, weeks);
    const dispersion = members === 1
      ? (rand() < 0.7 ? logUniform(rand, 0.01, 0.5) : 0)
      : (rand() < 0.4 ? logUniform(rand, 0.002, 0.08) : 0);
    if (dispersion) tags.push("overdispersed");
    const { event, factor } = currentWeekEvent(rand);
    out.push(labelled(rand, "E", tags.length ? tags.join(", ") : "plain", m, dispersion, event, factor));
  }
  return out;
}
