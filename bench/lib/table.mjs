// latest.json → the README's Markdown performance table (pure; unit-tested in bench/test).
import { machineLine } from "./machine.mjs";

const UNITS_NO_SPACE = new Set(["%", "×", ""]);

export function formatNumber(v, digits = 1) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  const fixed = Math.abs(v) >= 1000 ? Math.round(v) : Number(v.toFixed(digits));
  return fixed.toLocaleString("en-US", { maximumFractionDigits: digits });
}

const withUnit = (text, unit) => (!unit ? text : UNITS_NO_SPACE.has(unit) ? `${text}${unit}` : `${text} ${unit}`);

/** "0.97 (0.95–0.98)" — median with the spread over runs; a lone run or a constant shows one number. */
export function formatMetric(m) {
  const med = formatNumber(m.median, m.digits);
  if (m.n <= 1 || m.min === m.max) return withUnit(med, m.unit);
  return withUnit(`${med} (${formatNumber(m.min, m.digits)}–${formatNumber(m.max, m.digits)})`, m.unit);
}

const labelled = (m, text) => (m.label ? `${m.label} ${text}` : text);
const metricsText = (metrics) => metrics.map((m) => labelled(m, `**${formatMetric(m)}**`)).join("; ");
const escape = (s) => String(s).replace(/\|/g, "\\|");

function caseRow(bench, c, first) {
  const baseline = c.baseline ? `${c.baseline.label}: ${c.baseline.metrics.map((m) => labelled(m, formatMetric(m))).join("; ")}` : "";
  const ratios = (c.ratios ?? []).map((r) => `${r.label} ${formatNumber(r.value, r.digits ?? 2)}×`).join("; ");
  const base = [baseline, ratios].filter(Boolean).join(" → ");
  // A split (e.g. the runner's share of a job, milestone by milestone) follows the figures.
  const split = c.split?.length ? `; split: ${c.split.map((m) => `${m.label} ${formatMetric({ ...m, n: 1 })}`).join(", ")}` : "";
  return `| ${first ? `**${escape(bench.title)}**` : ""} | ${escape(c.label)} | ${escape(metricsText(c.metrics) + split)} | ${escape(base || "–")} |`;
}

function targetLine(t) {
  return `${t.met ? "✅" : "❌"} ${t.label}: ${t.actual} (target ${t.target})`;
}

/** The whole table block: machine line, one row per case, then targets and workloads. */
export function renderTable(latest) {
  const lines = [`Measured on ${machineLine(latest.machine)}. Figures: median (min–max) over the repeated runs shown.`, ""];
  lines.push("| benchmark | case | figures | baseline in the same run → ratio |", "|---|---|---|---|");
  for (const b of latest.benchmarks) b.cases.forEach((c, i) => lines.push(caseRow(b, c, i === 0)));
  const targets = latest.benchmarks.flatMap((b) => b.targets ?? []);
  if (targets.length) lines.push("", "Targets:", "", ...targets.map((t) => `- ${targetLine(t)}`));
  lines.push("", "Workloads:", "");
  for (const b of latest.benchmarks) lines.push(`- **${b.title}** (\`${b.command}\`, ${b.repeats} runs): ${b.workload}`);
  return lines.join("\n");
}

/** Replaces what sits between the markers; throws when they are missing, so nothing is appended blindly. */
export function replaceBetweenMarkers(text, block, begin = "<!-- bench:begin -->", end = "<!-- bench:end -->") {
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`markers ${begin} … ${end} not found`);
  return `${text.slice(0, i + begin.length)}\n${block}\n${text.slice(j)}`;
}
