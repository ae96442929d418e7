// One request: live status and progress (Firestore), queue position and ETA and the live preview
// (the API, refreshed while the job waits or runs), outputs full size with download (the API's
// signed URLs), cancel while queued (the API refunds in the same answer).
import { useEffect, useState } from "preact/hooks";
import { doc, onSnapshot } from "firebase/firestore";
import type { RequestDetailReply } from "../../../functions/src/requests/schema";
import { when } from "../lib/format";
import { useSession } from "../session";
import { ErrorBox, Loading, Progress, StatusBadge } from "../ui";

const QUEUE_REFRESH_MS = 5000;

export function RequestPage({ id }: { id: string }) {
  const s = useSession();
  const [view, setView] = useState<RequestDetailReply | null>(null);
  const [live, setLive] = useState<{ status: string; progress: number; previewAt: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const load = () => s.api.get<RequestDetailReply>("getGenerationRequest", { id }).then(setView, setError);
  useEffect(() => void load(), [id]);
  // Admins may open other users' requests through the API; the listener is for owners only.
  useEffect(() => onSnapshot(doc(s.db, "generationRequests", id), (d) => d.exists() && setLive({ status: d.get("status"), progress: d.get("progress") ?? 0, previewAt: d.get("preview.updatedAt")?.toMillis() ?? 0 }), () => undefined), [id]);
  useEffect(() => {
    if (view && live && (live.status !== view.status || live.previewAt > 0)) void load();
  }, [live?.status, live?.previewAt]);
  // Position and ETA move as other jobs finish, which this request's document does not show.
  useEffect(() => {
    if (view?.status !== "queued" && view?.status !== "running") return;
    const t = setInterval(() => void load(), QUEUE_REFRESH_MS);
    return () => clearInterval(t);
  }, [view?.status]);
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
      {view.queue && (status === "queued" || status === "running") && (
        <p data-testid="request-queue">
          {view.queue.position !== null && <>Position in queue: <strong>{view.queue.position + 1}</strong> · </>}
          Ready in about <strong>{view.queue.etaSeconds} s</strong>
        </p>
      )}
      {status === "running" && view.previewUrl && <img class="preview" data-testid="request-preview" src={view.previewUrl} alt="live preview" />}
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
