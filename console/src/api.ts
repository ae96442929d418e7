// Calls the HTTPS endpoints as any client does: same origin /api/<name> (Hosting rewrites to the
// function), the user's ID token as Bearer. A failed call throws with the API's own message.
import type { Auth } from "firebase/auth";

export class ApiCallError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: Record<string, unknown>) {
    super(message);
  }
}

type Query = Record<string, string | number | undefined>;

export function createApi(auth: Auth) {
  async function call<T>(name: string, opts: { method?: "GET" | "POST"; query?: Query; body?: unknown } = {}): Promise<T> {
    const url = new URL(`/api/${name}`, location.origin);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== "") url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {};
    const token = await auth.currentUser?.getIdToken();
    if (token) headers.authorization = `Bearer ${token}`;
    const method = opts.method ?? (opts.body === undefined ? "GET" : "POST");
    if (method === "POST") headers["content-type"] = "application/json";
    const res = await fetch(url, { method, headers, body: method === "POST" ? JSON.stringify(opts.body ?? {}) : undefined });
    const text = await res.text();
    const json = text ? safeJson(text) : undefined;
    if (!res.ok) {
      const err = (json as { error?: { code: string; message: string; details?: Record<string, unknown> } } | undefined)?.error;
      throw new ApiCallError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? `${name} failed with HTTP ${res.status}`, err?.details);
    }
    return json as T;
  }
  return {
    get: <T>(name: string, query?: Query) => call<T>(name, { method: "GET", query }),
    post: <T>(name: string, body: unknown = {}) => call<T>(name, { method: "POST", body }),
  };
}

export type Api = ReturnType<typeof createApi>;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
