// What a live stream of one request sends, pure. The stream sends state, not history: each
// event moves the client's view on, and its id encodes the whole view so far (status, progress,
// preview version, queue figures). A client that reconnects with Last-Event-ID gets exactly what
// changed since that view, never a repeat, and what it missed in between is summed up by the
// latest state (intermediate progress values do not matter once a later one is known).
import type { QueueFigures } from "../queue/eta";

export interface Seen { status: string | null; progress: number; previewAt: number; queue: string | null }
export interface RequestState { status: string; progress: number; previewAt: number | null; queue: QueueFigures | null }
export interface StreamEvent { id: string; event: "status" | "queue" | "progress" | "preview"; data: Record<string, unknown> }

export const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
export const NOTHING_SEEN: Seen = { status: null, progress: -1, previewAt: 0, queue: null };

/** Percent steps: finer progress is not worth an event. */
const percent = (p: number) => Math.round(Math.max(0, Math.min(1, p)) * 100);
const queueTag = (q: QueueFigures | null) => (q ? `${q.position ?? "r"}:${q.etaSeconds}` : null);

export function eventId(s: Seen): string {
  return [s.status ?? "", s.progress, s.previewAt, s.queue ?? ""].join("|");
}

/** The view a Last-Event-ID stands for; anything unreadable is a fresh start. */
export function parseLastEventId(id: string | undefined): Seen {
  const parts = (id ?? "").split("|");
  if (parts.length !== 4) return NOTHING_SEEN;
  const [status, progress, previewAt, queue] = parts;
  const p = Number(progress), v = Number(previewAt);
  if (!Number.isInteger(p) || !Number.isInteger(v)) return NOTHING_SEEN;
  return { status: status || null, progress: p, previewAt: v, queue: queue || null };
}

/** The events that bring a client from `seen` to `state`, in order, and the view after them. */
export function nextEvents(seen: Seen, state: RequestState): { events: StreamEvent[]; seen: Seen } {
  const events: StreamEvent[] = [];
  let s = { ...seen };
  const push = (event: StreamEvent["event"], change: Partial<Seen>, data: Record<string, unknown>) => {
    s = { ...s, ...change };
    events.push({ id: eventId(s), event, data });
  };
  if (state.status !== s.status) push("status", { status: state.status }, { status: state.status });
  const q = queueTag(state.queue);
  if (state.queue && q !== s.queue) push("queue", { queue: q }, { ...state.queue });
  const p = percent(state.progress);
  if (state.status === "running" && p > s.progress) push("progress", { progress: p }, { progress: p / 100 });
  if (state.previewAt !== null && state.previewAt > s.previewAt && state.status === "running") push("preview", { previewAt: state.previewAt }, { updatedAt: new Date(state.previewAt).toISOString() });
  return { events, seen: s };
}
