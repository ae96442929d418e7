// streamGenerationRequest over HTTP, as an EventSource would read it: ordered events to
// completion, and a dropped connection resumed with Last-Event-ID without repeats. The request
// is created through the real create (phase 1 dispatches nothing, so it stays queued); the
// runner's writes (running, progress, a preview, success) are made by hand, in order.
import { Timestamp } from "firebase-admin/firestore";
import { callFunction, createTestUser, db, functionsUrl } from "../../../test-support/emulator";

interface Sse { id?: string; event: string; data: any }

/** Reads server-sent events from a fetch body, one at a time. */
function openStream(token: string, id: string, lastEventId?: string) {
  const controller = new AbortController();
  const url = `${functionsUrl("streamGenerationRequest")}?id=${encodeURIComponent(id)}`;
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(lastEventId ? { "last-event-id": lastEventId } : {}) };
  const response = fetch(url, { headers, signal: controller.signal });
  let buffer = "";
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const decoder = new TextDecoder();
  return {
    response,
    /** The next event (heartbeat comments skipped), or null once the stream has ended. */
    async next(): Promise<Sse | null> {
      reader ??= (await response).body!.getReader();
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split("\n").filter((l) => !l.startsWith(":"));
          if (!lines.some((l) => l.startsWith("event:"))) continue;
          const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
          return { id: field("id"), event: field("event")!, data: JSON.parse(field("data") ?? "null") };
        }
        const { value, done } = await reader.read();
        if (done) return null;
        buffer += decoder.decode(value, { stream: true });
      }
    },
    close: () => controller.abort(),
  };
}

let user: { uid: string; token: string };
beforeAll(async () => {
  user = await createTestUser({ credits: 5 });
});

describe("streamGenerationRequest", () => {
  it("sends ordered events to completion, and resumes after a dropped connection with only what changed", async () => {
    const created = await callFunction("createGenerationRequest", { token: user.token, body: { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "a streamed cat" } });
    expect(created.status).toBe(201);
    const id = created.body.generationRequestId as string;
    const ref = db().doc(`generationRequests/${id}`);

    const first = openStream(user.token, id);
    expect((await first.response).headers.get("content-type")).toMatch(/^text\/event-stream/);
    const queued = [await first.next(), await first.next()];
    expect(queued.map((e) => e!.event)).toEqual(["status", "queue"]);
    expect(queued[0]!.data).toEqual({ status: "queued" });
    expect(queued[1]!.data).toEqual({ position: expect.any(Number), etaSeconds: expect.any(Number) });

    await ref.update({ status: "running", progress: 0.5, startedAt: Timestamp.now(), preview: { path: `generations/${user.uid}/${id}/preview.webp`, updatedAt: Timestamp.now() } });
    const running: Sse[] = [];
    while (running.length < 4) running.push((await first.next())!);
    expect(running.map((e) => e.event)).toEqual(["status", "queue", "progress", "preview"]);
    expect(running[0].data).toEqual({ status: "running" });
    expect(running[1].data.position).toBeNull();
    expect(running[2].data).toEqual({ progress: 0.5 });
    expect(running[3].data.url).toContain("preview.webp");
    const lastId = running[3].id!;
    first.close(); // the connection drops

    await ref.update({ progress: 0.8 });
    const second = openStream(user.token, id, lastId);
    const resumed = [(await second.next())!, (await second.next())!];
    // Nothing repeated: the status and the preview were seen; the progress moved on, and with it
    // the running job's ETA.
    expect(resumed.map((e) => e.event)).toEqual(["queue", "progress"]);
    expect(resumed[0].data).toEqual({ position: null, etaSeconds: expect.any(Number) });
    expect(resumed[0].data.etaSeconds).toBeLessThan(running[1].data.etaSeconds);
    expect(resumed[1].data).toEqual({ progress: 0.8 });

    await ref.update({ status: "succeeded", progress: 1, finishedAt: Timestamp.now(), outputs: [] });
    const done = (await second.next())!;
    expect(done.event).toBe("status");
    expect(done.data).toEqual({ status: "succeeded" });
    const final = (await second.next())!;
    expect(final.event).toBe("done");
    expect(final.data).toMatchObject({ id, status: "succeeded", charge: "charged", outputs: [], queue: null });
    expect(await second.next()).toBeNull(); // ended at the terminal state
  });

  it("answers 404 for someone else's request, before any stream starts", async () => {
    const other = await createTestUser({ credits: 0 });
    const res = await callFunction("streamGenerationRequest", { token: other.token, query: { id: "does-not-exist" } });
    expect(res.status).toBe(404);
  });
});
