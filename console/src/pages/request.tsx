// One request: live status and progress (Firestore), outputs full size with download (the
// API's signed URLs), cancel while queued (the API refunds in the same answer).
import { useEffect, useState } from "preact/hooks";
import { doc, onSnapshot } from "firebase/firestore";
import type { RequestDetailReply } from "../../../functions/src/requests/schema";
import { when } from "../lib/format";
import { useSession } from "../session";
import { ErrorBox, Loading, Progress, StatusBadge } from "../ui";

export function RequestPage({ id }: { id: string }) {
  const s = useSession();
  const [view, setView] = useState<RequestDetailReply | null>(null);
  const [live, setLive] = useState<{ status: string; progress: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const load = () => s.api.get<RequestDetailReply>("getGenerationRequest", { id }).then(setView, setError);
  useEffect(() => void load(), [id]);
  // Admins may open other users' requests through the API; the listener is for owners only.
  useEffect(() => onSnapshot(doc(s.db, "generationRequests", id), (d) => d.exists() && setLive({ status: d.get("status"), progress: d.get("progress") ?? 0 }), () => undefined), [id]);
  useEffect(() => {
    if (view && live && live.status !== view.status) void load();
  }, [live?.status]);
  if (!view) return error ? <ErrorBox error={error} /> : <Loading what="Loading the request" />;
  const status = live?.status ?? view.status;
  const cancel = async () => {
    setBusy(true);
    setError(null);
    try {
      await s.api.post("cancelGenerationRequest", { id });
      await load();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await s.api.post("deleteGenerationRequest", { id });
      await load();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const finished = status === "succeeded" || status === "failed" || status === "cancelled";
  return (
    <section class="card">
      <h1>Request <code>{id}</code></h1>
      <p><span data-testid="request-status"><StatusBadge status={status} /></span> · charge: {view.charge} · {view.cost} credit(s)</p>
      {(status === "queued" || status === "running") && <Progress value={live?.progress ?? view.progress} />}
      {status === "queued" && <button class="danger" disabled={busy} onClick={cancel}>Cancel and refund</button>}
      {finished && !view.deletedAt && <button class="danger" disabled={busy} onClick={remove}>Delete request and images</button>}
      {view.deletedAt && <p data-testid="deleted">Deleted {when(view.deletedAt)}: prompt and images are gone.</p>}
      <ErrorBox error={error} />
      {view.error && <div class="error">{view.error.code}: {view.error.message}</div>}
      <dl class="facts">
        <dt>Prompt</dt><dd>{view.prompt}</dd>
        {view.negativePrompt && <><dt>Negative</dt><dd>{view.negativePrompt}</dd></>}
        <dt>Model</dt><dd>{view.model} · {view.style} · {view.color} · {view.size} · ×{view.numImages}</dd>
        <dt>Seed</dt><dd>{view.seed ?? "–"}</dd>
        <dt>Created</dt><dd>{when(view.createdAt)}</dd>
        <dt>Finished</dt><dd>{when(view.finishedAt)}{view.durationMs !== null && ` (${view.durationMs} ms)`}</dd>
        <dt>GPU time</dt><dd>{view.gpuSeconds !== null ? `${view.gpuSeconds.toFixed(2)} s` : "–"}</dd>
      </dl>
      <div class="outputs">
        {view.outputs.map((o, i) => (
          <figure>
            <a href={o.url} target="_blank" rel="noopener"><img src={o.url} alt={`output ${i + 1}`} width={o.width} height={o.height} /></a>
            <figcaption>{o.width}×{o.height} · {o.contentType} · {Math.round(o.bytes / 1024)} KB · <a href={o.url} download={`${id}-${i}`}>Download</a></figcaption>
          </figure>
        ))}
      </div>
    </section>
  );
}
