// The paged parts of a user's export, one per collection, in the order they are exported.
// A feature that stores user data in a large collection adds one section here (and its array
// to exportPageSchema); small per-user data goes into the first page's head (export.ts).
import type { Firestore } from "firebase-admin/firestore";
import { pageOf } from "../shared/cursor";
import { ledgerEntryView } from "../ledger/history";
import { modelView } from "../models/view";
import { detailView } from "../requests/view";
import type { ManagedStorage } from "../storage/storage";

export interface ExportContext {
  db: Firestore;
  files: ManagedStorage;
  uid: string;
  urlTtlSeconds: number;
}

export type SectionName = "requests" | "ledger" | "webhookDeliveries" | "customModels";

export interface ExportSection {
  name: SectionName;
  page(ctx: ExportContext, cursor: string | null, limit: number): Promise<{ items: unknown[]; next: string | null }>;
}

const iso = (t: FirebaseFirestore.Timestamp | null | undefined) => t?.toDate().toISOString() ?? null;

async function paged(query: FirebaseFirestore.Query, field: string, cursor: string | null, limit: number, view: (d: FirebaseFirestore.QueryDocumentSnapshot) => unknown) {
  const { docs, nextCursor } = await pageOf(query, field, { limit, cursor: cursor ?? undefined });
  return { items: await Promise.all(docs.map(view)), next: nextCursor };
}

const requests: ExportSection = {
  name: "requests",
  page: (ctx, cursor, limit) =>
    paged(ctx.db.collection("generationRequests").where("userId", "==", ctx.uid), "createdAt", cursor, limit, async (d) => {
      const input = d.get("inputImage") as { path?: string } | null;
      return {
        ...(await detailView(d, ctx.files, ctx.urlTtlSeconds)),
        inputImageUrl: input?.path ? await ctx.files.signedUrl(input.path, ctx.urlTtlSeconds) : null,
      };
    }),
};

const ledger: ExportSection = {
  name: "ledger",
  page: (ctx, cursor, limit) => paged(ctx.db.collection(`users/${ctx.uid}/ledger`), "createdAt", cursor, limit, ledgerEntryView),
};

const webhookDeliveries: ExportSection = {
  name: "webhookDeliveries",
  page: (ctx, cursor, limit) =>
    paged(ctx.db.collection("webhookDeliveries").where("userId", "==", ctx.uid), "updatedAt", cursor, limit, (d) => ({
      id: d.id, requestId: d.get("requestId"), url: d.get("url") ?? null, attempts: d.get("attempts") ?? 0, lastStatus: d.get("lastStatus") ?? null,
      lastError: d.get("lastError") ?? null, deliveredAt: iso(d.get("deliveredAt")), updatedAt: iso(d.get("updatedAt")),
    })),
};

const customModels: ExportSection = {
  name: "customModels",
  page: (ctx, cursor, limit) => paged(ctx.db.collection("customModels").where("userId", "==", ctx.uid), "createdAt", cursor, limit, modelView),
};

export const EXPORT_SECTIONS: ExportSection[] = [requests, ledger, webhookDeliveries, customModels];
