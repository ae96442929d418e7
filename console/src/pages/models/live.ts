// The signed-in user's custom models, live from Firestore (the rules let owners read their own),
// as the gallery does for requests: status and training progress move as the runner writes them.
import { useEffect, useState } from "preact/hooks";
import { collection, limit, onSnapshot, orderBy, query, where, type DocumentData } from "firebase/firestore";
import { useSession } from "../../session";

export interface ModelRow {
  id: string; name: string; baseModel: string; triggerWord: string; status: string; progress: number;
  step: number; steps: number; cost: number; imageCount: number; error: string | null;
}

const toRow = (id: string, d: DocumentData): ModelRow => ({
  id, name: d.name ?? "", baseModel: d.baseModel ?? "", triggerWord: d.triggerWord ?? "", status: d.status ?? "queued",
  progress: d.progress ?? 0, step: d.step ?? 0, steps: d.steps ?? 0, cost: d.cost ?? 0, imageCount: d.imageCount ?? 0,
  error: d.error?.message ?? null,
});

/** Newest first; deleted models left out. `null` while the first snapshot is on its way. */
export function useMyModels(): { models: ModelRow[] | null; error: unknown } {
  const s = useSession();
  const [models, setModels] = useState<ModelRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const q = query(collection(s.db, "customModels"), where("userId", "==", s.user.uid), orderBy("createdAt", "desc"), limit(50));
    return onSnapshot(q, (snap) => setModels(snap.docs.map((d) => toRow(d.id, d.data())).filter((m) => m.status !== "deleted")), setError);
  }, [s.user.uid]);
  return { models, error };
}
