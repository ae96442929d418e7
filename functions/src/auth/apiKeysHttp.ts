// API keys for server-to-server clients (admin-managed). The plain key is returned once; only
// its SHA-256 is stored, as the document id, so authenticating a key is one document read.
// A key acts as its user with the `user` role: admin actions always need an ID token.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { endpoint } from "../http/endpoint";
import { ApiError } from "../http/errors";
import { parseInput } from "../http/validate";
import { adminAuth, firestore } from "../shared/firestore";
import { hashApiKey, newApiKey } from "./apiKeys";

const iso = (t?: FirebaseFirestore.Timestamp | null) => (t ? t.toDate().toISOString() : null);

export const createApiKey = endpoint({ name: "createApiKey", method: "POST", access: "admin" }, async ({ caller, body }) => {
  const input = parseInput(z.strictObject({ userId: z.string().min(1).max(128), name: z.string().trim().min(1).max(100) }), body);
  await adminAuth().getUser(input.userId).catch(() => {
    throw new ApiError("NOT_FOUND", `user '${input.userId}' not found`);
  });
  const key = newApiKey();
  const keyId = randomUUID();
  const now = new Date();
  await firestore().doc(`apiKeys/${hashApiKey(key)}`).create({
    keyId, uid: input.userId, role: "user", name: input.name, prefix: key.slice(0, 10), createdBy: caller.uid, createdAt: now, revokedAt: null,
  });
  return { status: 201, body: { keyId, key, prefix: key.slice(0, 10), userId: input.userId, name: input.name, createdAt: now.toISOString(), note: "store this key now: it is not shown again" } };
});

export const listApiKeys = endpoint({ name: "listApiKeys", method: "GET", access: "admin" }, async ({ query }) => {
  const { userId } = parseInput(z.strictObject({ userId: z.string().min(1).max(128) }), query, "query");
  const snap = await firestore().collection("apiKeys").where("uid", "==", userId).get();
  const keys = snap.docs
    .map((d) => ({ keyId: d.get("keyId"), prefix: d.get("prefix"), name: d.get("name"), userId, createdAt: iso(d.get("createdAt")), revokedAt: iso(d.get("revokedAt")) }))
    .sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? ""));
  return { body: { keys } };
});

export const revokeApiKey = endpoint({ name: "revokeApiKey", method: "POST", access: "admin" }, async ({ body }) => {
  const { keyId } = parseInput(z.strictObject({ keyId: z.string().uuid() }), body);
  const snap = await firestore().collection("apiKeys").where("keyId", "==", keyId).limit(1).get();
  if (snap.empty) throw new ApiError("NOT_FOUND", `API key '${keyId}' not found`);
  const doc = snap.docs[0];
  const revokedAt = doc.get("revokedAt")?.toDate() ?? new Date();
  if (!doc.get("revokedAt")) await doc.ref.update({ revokedAt });
  return { body: { keyId, revokedAt: revokedAt.toISOString() } };
});
