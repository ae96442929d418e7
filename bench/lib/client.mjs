// HTTP calls to the functions emulator, shared by the benchmarks.
export const CREATE_BODY = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: "benchmark cat" };

export function functionsBase() {
  const base = process.env.FUNCTIONS_BASE_URL;
  if (!base) throw new Error("run through `npm run bench` (FUNCTIONS_BASE_URL is set by the emulator stack)");
  return base;
}

/** POST createGenerationRequest; resolves {status, body}. */
export async function createRequest(token, extra = {}) {
  const res = await fetch(`${functionsBase()}/createGenerationRequest`, {
    method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ ...CREATE_BODY, ...extra }),
  });
  const text = await res.text();
  let body = null;
  try { body = JSON.parse(text); } catch {}
  return { status: res.status, body };
}

export async function health() {
  const res = await fetch(`${functionsBase()}/health`);
  await res.arrayBuffer();
  return { status: res.status };
}

/** Runs `lanes` parallel loops of `perLane` timed calls; returns per-call {ms, status} and the wall time. */
export async function lanes(count, perLane, call) {
  const samples = [];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: count }, async (_, lane) => {
    for (let i = 0; i < perLane; i++) {
      const t = performance.now();
      const { status } = await call(lane, i);
      samples.push({ ms: performance.now() - t, status });
    }
  }));
  return { samples, wallMs: performance.now() - t0 };
}
