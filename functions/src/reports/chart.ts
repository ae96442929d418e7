// The 12-week trend chart: drawn as SVG here (pure, testable; the web console draws the same SVG),
// rasterised to PNG with sharp in chart-png.ts. Generations are bars on the left axis, credits a
// line on the right axis; anomalous weeks get a red bar and a "spike" marker so they stand out in
// an email or a chat preview.
import type { TrendPoint } from "./types";

export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 400;
const M = { top: 72, right: 64, bottom: 48, left: 64 };
const COLORS = { bar: "#4a78c2", spike: "#d62f2f", line: "#e08a1e", axis: "#444", grid: "#e3e3e3", text: "#222" };

/** The chart's title, in the stored PNG and in the console alike: weeks are the report calendar's (REPORT_TIME_ZONE). */
export const trendChartTitle = (week: string, timeZone: string) => `Weekly trend to ${week} (weeks in ${timeZone})`;

export function trendChartSvg(points: TrendPoint[], title: string): string {
  const w = CHART_WIDTH - M.left - M.right;
  const h = CHART_HEIGHT - M.top - M.bottom;
  const maxGen = niceMax(Math.max(0, ...points.map((p) => p.generations)));
  const maxCred = niceMax(Math.max(0, ...points.map((p) => p.credits)));
  const slot = w / Math.max(1, points.length);
  const x = (i: number) => M.left + slot * i + slot / 2;
  const yGen = (v: number) => M.top + h - (v / maxGen) * h;
  const yCred = (v: number) => M.top + h - (v / maxCred) * h;
  const parts: string[] = [];
  parts.push(`<rect width="${CHART_WIDTH}" height="${CHART_HEIGHT}" fill="#ffffff"/>`);
  parts.push(text(M.left, 22, title, { size: 16, weight: "bold" }));
  parts.push(legend());
  for (let k = 0; k <= 4; k++) {
    const y = M.top + (h * k) / 4;
    parts.push(`<line x1="${M.left}" x2="${M.left + w}" y1="${n(y)}" y2="${n(y)}" stroke="${COLORS.grid}"/>`);
    parts.push(text(M.left - 6, y + 4, fmt((maxGen * (4 - k)) / 4), { anchor: "end", size: 11 }));
    parts.push(text(M.left + w + 6, y + 4, fmt((maxCred * (4 - k)) / 4), { size: 11, color: COLORS.line }));
  }
  points.forEach((p, i) => {
    const barW = slot * 0.6;
    const y = yGen(p.generations);
    const color = p.anomalous ? COLORS.spike : COLORS.bar;
    parts.push(`<rect x="${n(x(i) - barW / 2)}" y="${n(y)}" width="${n(barW)}" height="${n(M.top + h - y)}" fill="${color}"><title>${esc(p.week)}: ${p.generations} generations, ${p.credits} credits</title></rect>`);
    parts.push(text(x(i), M.top + h + 18, p.week.slice(5), { anchor: "middle", size: 11 }));
    if (p.anomalous) parts.push(text(x(i), y - 8, "▲ spike", { anchor: "middle", size: 11, weight: "bold", color: COLORS.spike }));
  });
  const line = points.map((p, i) => `${n(x(i))},${n(yCred(p.credits))}`).join(" ");
  if (points.length) parts.push(`<polyline points="${line}" fill="none" stroke="${COLORS.line}" stroke-width="2.5"/>`);
  points.forEach((p, i) => parts.push(`<circle cx="${n(x(i))}" cy="${n(yCred(p.credits))}" r="3.5" fill="${COLORS.line}"/>`));
  parts.push(`<line x1="${M.left}" x2="${M.left + w}" y1="${M.top + h}" y2="${M.top + h}" stroke="${COLORS.axis}"/>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" font-family="DejaVu Sans, Arial, sans-serif">${parts.join("")}</svg>`;
}

function legend(): string {
  const x0 = CHART_WIDTH - M.right - 330;
  const y0 = 32;
  return [
    `<rect x="${x0}" y="${y0}" width="12" height="12" fill="${COLORS.bar}"/>`,
    text(x0 + 16, y0 + 11, "generations", { size: 12 }),
    `<line x1="${x0 + 110}" x2="${x0 + 130}" y1="${y0 + 6}" y2="${y0 + 6}" stroke="${COLORS.line}" stroke-width="2.5"/>`,
    text(x0 + 134, y0 + 11, "credits (right)", { size: 12 }),
    `<rect x="${x0 + 240}" y="${y0}" width="12" height="12" fill="${COLORS.spike}"/>`,
    text(x0 + 256, y0 + 11, "anomaly", { size: 12 }),
  ].join("");
}

/** Rounds an axis maximum up so each of the four gridline steps is a round number (1, 1.5, 2, 2.5 or 5 × 10^k). */
export function niceMax(v: number): number {
  if (v <= 4) return 4;
  const raw = v / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const steps = mag >= 10 ? [1, 1.5, 2, 2.5, 5, 10] : [1, 2, 5, 10];
  return 4 * steps.find((st) => st * mag >= raw)! * mag;
}

function text(x: number, y: number, s: string, o: { size?: number; anchor?: string; weight?: string; color?: string } = {}) {
  return `<text x="${n(x)}" y="${n(y)}" font-size="${o.size ?? 12}" text-anchor="${o.anchor ?? "start"}" font-weight="${o.weight ?? "normal"}" fill="${o.color ?? COLORS.text}">${esc(s)}</text>`;
}

const n = (v: number) => String(Math.round(v * 10) / 10);
const fmt = (v: number) => (v >= 10_000 ? `${Math.round(v / 1000)}k` : String(Math.round(v)));
export const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
