// Usage: credits and GPU-seconds per day (chart), by model and by key (tables), and the CSV.
import { useEffect, useState } from "preact/hooks";
import type { UsageReply, UsageRow } from "../../../../functions/src/usage/schema";
import { usageChart } from "../../lib/usage-chart";
import { useSession } from "../../session";
import { ErrorBox, Loading } from "../../ui";

const W = 600;
const H = 160;

export function Usage() {
  const s = useSession();
  const [data, setData] = useState<{ day: UsageReply; model: UsageReply; key: UsageReply } | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    Promise.all((["day", "model", "key"] as const).map((groupBy) => s.api.get<UsageReply>("getUsage", { groupBy })))
      .then(([day, model, key]) => setData({ day, model, key }), setError);
  }, [s.user.uid]);
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading />;
  const chart = usageChart(data.day.rows, W, H);
  return (
    <section>
      <h1>Usage</h1>
      <p class="muted">{data.day.from} to {data.day.to} ({data.day.timeZone}): {data.day.totals.creditsDebited} credits debited, {data.day.totals.creditsRefunded} refunded, {data.day.totals.gpuSeconds.toFixed(1)} GPU-seconds.</p>
      <svg data-testid="usage-chart" viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label="Credits debited (bars) and GPU-seconds (line) per day">
        {chart.bars.map((b) => <rect x={b.x} y={b.y} width={b.width} height={b.height} fill="#7aa7e0"><title>{b.day}: {b.credits} credits</title></rect>)}
        <path d={chart.line} fill="none" stroke="#d9822b" stroke-width="2" />
      </svg>
      <p class="muted">Bars: credits per day (max {chart.maxCredits}). Line: GPU-seconds per day (max {chart.maxGpuSeconds.toFixed(1)}).</p>
      <button onClick={() => downloadCsv(s, data.day.from, data.day.to).catch(setError)}>Download CSV</button>
      <h2>By model</h2>
      <UsageTable rows={data.model.rows} label="Model" />
      <h2>By API key</h2>
      <UsageTable rows={data.key.rows} label="Key" />
    </section>
  );
}

function UsageTable({ rows, label }: { rows: UsageRow[]; label: string }) {
  if (!rows.length) return <p class="empty">Nothing in this range.</p>;
  return (
    <table data-testid={`usage-by-${label.toLowerCase()}`}>
      <thead><tr><th>{label}</th><th>Requests</th><th>Images</th><th>Credits</th><th>Refunded</th><th>GPU-seconds</th></tr></thead>
      <tbody>{rows.map((r) => <tr><td>{r.key}</td><td>{r.requests}</td><td>{r.images}</td><td>{r.creditsDebited}</td><td>{r.creditsRefunded}</td><td>{r.gpuSeconds.toFixed(1)}</td></tr>)}</tbody>
    </table>
  );
}

/** The CSV needs the ID token, so it is fetched and handed to the browser as a file. */
async function downloadCsv(s: ReturnType<typeof useSession>, from: string, to: string) {
  const url = new URL("/api/getUsage", location.origin);
  for (const [k, v] of Object.entries({ from, to, groupBy: "day", format: "csv" })) url.searchParams.set(k, v);
  const res = await fetch(url, { headers: { authorization: `Bearer ${await s.user.getIdToken()}` } });
  if (!res.ok) throw new Error(`getUsage answered ${res.status}`);
  const a = document.createElement("a");
  a.href = URL.createObjectURL(await res.blob());
  a.download = `usage-${from}-${to}.csv`;
  a.click();
  URL.revokeObjectURL(a.href);
}
