// The live stream's events: ordered, each id the whole view so far, resumable without repeats.
import { eventId, nextEvents, NOTHING_SEEN, parseLastEventId } from "../../src/requests/streamEvents";

describe("stream events", () => {
  it("walks a request from queued to running with ordered status, queue, progress and preview events", () => {
    const a = nextEvents(NOTHING_SEEN, { status: "queued", progress: 0, previewAt: null, queue: { position: 3, etaSeconds: 40 } });
    expect(a.events.map((e) => [e.event, e.data])).toEqual([["status", { status: "queued" }], ["queue", { position: 3, etaSeconds: 40 }]]);
    const b = nextEvents(a.seen, { status: "running", progress: 0.42, previewAt: 1000, queue: { position: null, etaSeconds: 12 } });
    expect(b.events.map((e) => e.event)).toEqual(["status", "queue", "progress", "preview"]);
    expect(b.events[2].data).toEqual({ progress: 0.42 });
    // Nothing changed: nothing sent.
    expect(nextEvents(b.seen, { status: "running", progress: 0.42, previewAt: 1000, queue: { position: null, etaSeconds: 12 } }).events).toEqual([]);
    // Progress never goes back.
    expect(nextEvents(b.seen, { status: "running", progress: 0.3, previewAt: 1000, queue: { position: null, etaSeconds: 12 } }).events).toEqual([]);
  });

  it("resumes from a Last-Event-ID with exactly what changed since, and treats garbage as a fresh start", () => {
    const first = nextEvents(NOTHING_SEEN, { status: "running", progress: 0.2, previewAt: 500, queue: null });
    const lastId = first.events.at(-1)!.id;
    expect(parseLastEventId(lastId)).toEqual(first.seen);
    const resumed = nextEvents(parseLastEventId(lastId), { status: "running", progress: 0.6, previewAt: 500, queue: null });
    expect(resumed.events.map((e) => e.event)).toEqual(["progress"]);
    expect(parseLastEventId("nonsense")).toEqual(NOTHING_SEEN);
    expect(parseLastEventId(undefined)).toEqual(NOTHING_SEEN);
    expect(eventId(NOTHING_SEEN)).toBe("|-1|0|");
  });
});
