// The signed-in user's requests, live from Firestore (the rules let owners read their own):
// status and progress move as the runner writes them. Thumbnails need signed URLs, which only
// the API hands out, so a request that reaches `succeeded` is fetched once through it.
import { useEffect, useState } from "preact/hooks";
import { collection, limit, onSnapshot, orderBy, query, where } from "firebase/firestore";
import type { RequestDetailReply } from "../../../functions/src/requests/schema";
import { isoOf, when } from "../lib/format";
import { useSession } from "../session";
import { Empty, ErrorBox, Loading, Progress, StatusBadge } from "../ui";

interface Row { id: string; status: string; progress: number; prompt: string; model: string; size: string; numImages: number; cost: number; createdAt: string | null }

export function Gallery() {
  const s = useSession();
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const thumbs = useThumbnails(rows);
  useEffect(() => {
    const q = query(collection(s.db, "generationRequests"), where("userId", "==", s.user.uid), orderBy("createdAt", "desc"), limit(48));
    return onSnapshot(q, (snap) => setRows(snap.docs.map((d) => toRow(d.id, d.data()))), setError);
  }, [s.user.uid]);
  if (error) return <ErrorBox error={error} />;
  if (!rows) return <Loading what="Loading your requests" />;
  return (
    <section>
      <h1>Gallery</h1>
      {rows.length === 0 && <Empty>No requests yet. <a href="#/generate">Generate your first image</a>.</Empty>}
      <div class="gallery">
        {rows.map((r) => (
          <a class="tile" href={`#/requests/${r.id}`} data-testid="tile" data-id={r.id} data-status={r.status}>
            {thumbs[r.id] ? <img src={thumbs[r.id]} alt={r.prompt} loading="lazy" /> : <div class="placeholder">{r.status === "succeeded" ? "…" : r.status}</div>}
            <div class="meta">
              <StatusBadge status={r.status} />
              {(r.status === "running" || r.status === "queued") && <Progress value={r.progress} />}
              <span class="prompt" title={r.prompt}>{r.prompt}</span>
              <span class="muted">{r.model} · {r.size} · ×{r.numImages} · {r.cost} cr · {when(r.createdAt)}</span>
            </div>
          </a>
        ))}
      </div>
    </section>
  );
}

function toRow(id: string, d: Record<string, any>): Row {
  return { id, status: d.status, progress: d.progress ?? 0, prompt: d.prompt, model: d.model, size: d.size, numImages: d.numImages, cost: d.cost, createdAt: isoOf(d.createdAt) };
}

/** Signed thumbnail URLs of succeeded requests, fetched once each. */
function useThumbnails(rows: Row[] | null): Record<string, string> {
  const s = useSession();
  const [thumbs, setThumbs] = useState<Record<string, string>>({});
  const [asked] = useState(() => new Set<string>());
  useEffect(() => {
    for (const r of rows ?? []) {
      if (r.status !== "succeeded" || asked.has(r.id)) continue;
      asked.add(r.id);
      s.api.get<RequestDetailReply>("getGenerationRequest", { id: r.id }).then((d) => {
        const url = d.outputs[0]?.thumbnailUrl ?? d.outputs[0]?.url;
        if (url) setThumbs((t) => ({ ...t, [r.id]: url }));
      }, () => asked.delete(r.id));
    }
  }, [rows]);
  return thumbs;
}
