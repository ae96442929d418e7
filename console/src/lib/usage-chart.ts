// Pure: the geometry of the usage chart (bars = credits debited per day, a line = GPU-seconds per
// day, each on its own scale), so the page only draws what this returns.
export interface DayFigures { key: string; creditsDebited: number; gpuSeconds: number }

export interface ChartShape {
  bars: { x: number; y: number; width: number; height: number; day: string; credits: number }[];
  line: string;
  maxCredits: number;
  maxGpuSeconds: number;
}

export function usageChart(days: readonly DayFigures[], width: number, height: number): ChartShape {
  const maxCredits = Math.max(0, ...days.map((d) => d.creditsDebited));
  const maxGpuSeconds = Math.max(0, ...days.map((d) => d.gpuSeconds));
  const step = days.length ? width / days.length : 0;
  const scale = (v: number, max: number) => (max > 0 ? (v / max) * height : 0);
  const bars = days.map((d, i) => {
    const h = scale(d.creditsDebited, maxCredits);
    return { x: i * step + step * 0.15, y: height - h, width: step * 0.7, height: h, day: d.key, credits: d.creditsDebited };
  });
  const line = days.map((d, i) => `${i === 0 ? "M" : "L"}${(i * step + step / 2).toFixed(1)},${(height - scale(d.gpuSeconds, maxGpuSeconds)).toFixed(1)}`).join(" ");
  return { bars, line, maxCredits, maxGpuSeconds };
}
