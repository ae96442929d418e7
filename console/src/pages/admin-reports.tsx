// Weekly reports, live from Firestore (admins may read reports/), with the same trend chart the
// stored PNG is drawn from, the anomalies in words, and "run the report now" (the API).
import { useEffect, useState } from "preact/hooks";
import { collection, limit, onSnapshot, orderBy, query } from "firebase/firestore";
import { trendChartSvg, trendChartTitle } from "../../../functions/src/reports/chart";
import type { ReportDoc } from "../../../functions/src/reports/types";
import type { ReportReply } from "../../../functions/src/reports/triggers";
import { percent, plural } from "../lib/format";
import { useSession } from "../session";
import { Empty, ErrorBox, Loading } from "../ui";

export function AdminReports() {
  const s = useSession();
  const [reports, setReports] = useState<ReportDoc[] | null>(null);
  const [week, setWeek] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [ran, setRan] = useState<ReportReply | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => onSnapshot(query(collection(s.db, "reports"), orderBy("week", "desc"), limit(12)), (snap) => setReports(snap.docs.map((d) => d.data() as ReportDoc)), setError), []);
  const runNow = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await s.api.post<ReportReply>("scheduleWeeklyReport", {});
      setRan(r);
      setWeek(r.reportId);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const current = reports?.find((r) => r.week === week) ?? reports?.[0];
  return (
    <section>
      <h1>Weekly reports</h1>
      <div class="row">
        <button onClick={runNow} disabled={busy}>{busy ? "Running the report…" : "Run the report now"}</button>
        {reports && reports.length > 0 && (
          <label>Week <select value={current?.week} onChange={(e) => setWeek(e.currentTarget.value)}>{reports.map((r) => <option>{r.week}</option>)}</select></label>
        )}
      </div>
      {ran && <p class="ok" role="status">Report {ran.reportId} written. {ran.anomaly ?? "No anomalies."}</p>}
      <ErrorBox error={error} />
      {!reports ? <Loading what="Loading reports" /> : !current ? <Empty>No reports yet. Run one now.</Empty> : <Report report={current} />}
    </section>
  );
}

function Report({ report: r }: { report: ReportDoc }) {
  return (
    <div class="card report" data-testid="report" data-week={r.week}>
      <h2>{r.week} <span class="muted">{r.start.slice(0, 10)} – {r.end.slice(0, 10)}{r.complete ? "" : " (incomplete week)"}</span></h2>
      <div class="stats">
        <Stat label="requests" value={r.requests.total} />
        <Stat label="succeeded" value={r.requests.succeeded} />
        <Stat label="failed" value={`${r.requests.failed} (${percent(r.rates.failure)})`} />
        <Stat label="images" value={r.images} />
        <Stat label="credits debited" value={r.credits.debited} />
        <Stat label="refunded" value={r.credits.refunded} />
        <Stat label="active users" value={r.activeUsers} />
      </div>
      <div class="chart" data-testid="trend-chart" dangerouslySetInnerHTML={{ __html: trendChartSvg(r.trend, trendChartTitle(r.week, r.timeZone ?? "UTC")) }} />
      <h3>Anomalies</h3>
      {r.anomalies.length === 0 ? <Empty>No spikes this week.</Empty> : (
        <ul class="anomalies" data-testid="anomalies">{r.anomalies.map((a) => <li><span class="badge">{a.scope}</span> {a.reason}</li>)}</ul>
      )}
      <h3>By model</h3>
      <table><tbody>{r.byModel.map((m) => <tr><td>{m.displayName}</td><td class="num">{plural(m.requests, "request")}</td><td class="num">{m.credits} cr</td></tr>)}</tbody></table>
      <h3>Top users</h3>
      {r.topUsers.length === 0 ? <Empty>No usage.</Empty> : (
        <table><tbody>{r.topUsers.map((u) => <tr><td><a href={`#/admin/users/${encodeURIComponent(u.uid)}`}>{u.uid}</a></td><td class="num">{plural(u.requests, "request")}</td><td class="num">{u.creditsDebited} cr</td></tr>)}</tbody></table>
      )}
    </div>
  );
}

const Stat = ({ label, value }: { label: string; value: string | number }) => <div class="stat"><span class="value">{value}</span><span class="label">{label}</span></div>;
