#!/usr/bin/env node
// `npm run demo`, against a running `npm run dev` stack: signs in as user1@example.com on the
// Auth emulator, creates a request, follows it to a terminal status, then prints the output files
// and the new balance. IMAGEGEN_PORT_OFFSET selects a shifted stack, as in the other scripts.
import fs from "node:fs";
import path from "node:path";
import { ports, PROJECT_ID, REGION, repoRoot } from "./lib/env.mjs";
import { signIn } from "./lib/emulator-users.mjs";

const p = ports();
const fnBase = `http://127.0.0.1:${p.functions}/${PROJECT_ID}/${REGION}`;
const email = process.env.DEMO_EMAIL || "user1@example.com";
const password = process.env.DEMO_PASSWORD || "password123";
const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
const TIMEOUT_MS = Number(process.env.DEMO_TIMEOUT_MS || 180_000);

async function json(res) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text };
  }
}

async function call(name, token, { method = "GET", body, query } = {}) {
  const url = new URL(`${fnBase}/${name}`);
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, String(v));
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const out = await json(res);
  if (!res.ok) throw new Error(`${name} answered ${res.status}: ${JSON.stringify(out)}`);
  return out;
}

/** Where the dev stack's local storage keeps a file served at /files/{path}. */
function localPathOf(url) {
  const u = new URL(url);
  if (!u.pathname.startsWith("/files/")) return null;
  const dir = process.env.LOCAL_STORAGE_DIR || path.join(repoRoot, ".data", "storage");
  const file = path.join(dir, decodeURIComponent(u.pathname.slice("/files/".length)));
  return fs.existsSync(file) ? file : null;
}

async function main() {
  console.log(`signing in as ${email} (Auth emulator :${p.auth})`);
  const token = await signIn(`127.0.0.1:${p.auth}`, email, password);
  const before = await call("getUserCredits", token, { query: { limit: 1 } });
  console.log(`balance before: ${before.currentCredits}`);
  const body = { model: "A", style: "realistic", color: "vibrant", size: "512x512", prompt: process.argv[2] || "A cat in space" };
  const created = await call("createGenerationRequest", token, { method: "POST", body });
  const id = created.generationRequestId;
  console.log(`created ${id}: ${created.status}, charged ${created.deductedCredits} credit(s), balance now ${created.currentCredits}`);

  const deadline = Date.now() + TIMEOUT_MS;
  let last = "";
  let view;
  for (;;) {
    view = await call("getGenerationRequest", token, { query: { id } });
    const line = `${view.status}${view.status === "running" ? ` ${Math.round((view.progress ?? 0) * 100)}%` : ""}`;
    if (line !== last) console.log(`  ${new Date().toISOString().slice(11, 19)} ${line}`);
    last = line;
    if (TERMINAL.has(view.status)) break;
    if (Date.now() > deadline) throw new Error(`still ${view.status} after ${TIMEOUT_MS / 1000}s: is the runner (:${8090 + (p.functions - 5001)}) up?`);
    await new Promise((r) => setTimeout(r, 500));
  }

  if (view.status === "succeeded") {
    for (const [i, o] of view.outputs.entries()) {
      console.log(`output ${i}: ${o.width}x${o.height} ${o.contentType}, ${o.bytes} bytes`);
      const local = localPathOf(o.url);
      if (local) console.log(`  file: ${local}`);
      console.log(`  url:  ${o.url}`);
    }
  } else {
    console.log(`ended ${view.status}: ${view.error?.code} ${view.error?.message ?? ""} (charge: ${view.charge})`);
  }
  const after = await call("getUserCredits", token, { query: { limit: 3 } });
  console.log(`balance after: ${after.currentCredits}`);
  for (const t of after.transactions) console.log(`  ${t.type} ${t.amount > 0 ? "+" : ""}${t.amount} -> ${t.balanceAfter} (${t.reason})`);
  process.exit(view.status === "succeeded" ? 0 : 1);
}

main().catch((e) => {
  console.error(`demo failed: ${e.message}`);
  console.error(`(is \`npm run dev\` running on functions :${p.functions}, auth :${p.auth}?)`);
  process.exit(1);
});
