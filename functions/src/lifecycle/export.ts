// exportUserData: the user's data as pages of one bounded size. The first page carries the head
// (profile, plan, API keys' metadata); every page carries up to `limit` items of the paged
// sections, in order, and the cursor of the next page. Each item appears on exactly one page,
// and a server never holds more than one page, so a 100k-request account exports in bounded memory.
import { listKeys } from "../auth/apiKeyStore";
import { planOf } from "../billing/userPlan";
import { advance, decodeExportCursor, encodeExportCursor, type ExportPosition } from "./exportCursor";
import { EXPORT_SECTIONS, type ExportContext, type SectionName } from "./exportSections";

const iso = (t: FirebaseFirestore.Timestamp | null | undefined) => t?.toDate().toISOString() ?? null;

/** The plan with ISO times (a user never assigned one is on free, with no period yet). */
function planView(user: Record<string, unknown> | undefined) {
  const p = planOf(user);
  return { id: p.id, status: p.status, source: p.source, periodStart: p.periodStart?.toISOString() ?? null, periodEnd: p.periodEnd?.toISOString() ?? null };
}

/** Every grant, live or spent or expired (a handful a month): the source and the counters. */
function grantView(d: FirebaseFirestore.QueryDocumentSnapshot) {
  return {
    id: d.id, source: d.get("source"), amount: d.get("amount"), remaining: d.get("remaining") ?? 0, drawn: d.get("drawn") ?? 0,
    givenBack: d.get("givenBack") ?? 0, expired: d.get("expired") ?? 0, expiresAt: iso(d.get("expiresAt")), createdAt: iso(d.get("createdAt")),
  };
}

async function head(ctx: ExportContext) {
  const [user, keys, grants] = await Promise.all([ctx.db.doc(`users/${ctx.uid}`).get(), listKeys(ctx.db, ctx.uid), ctx.db.collection(`users/${ctx.uid}/grants`).get()]);
  return {
    profile: {
      userId: ctx.uid, email: user.get("email") ?? null, role: user.get("role") ?? "user", credits: user.get("credits") ?? 0,
      plan: planView(user.data()),
      createdAt: iso(user.get("createdAt")), erasedAt: iso(user.get("erasedAt")),
    },
    // listKeys never reads the hash; createsToday is usage, not the key's metadata.
    apiKeys: keys.map(({ createsToday: _usage, ...k }) => k),
    grants: grants.docs.map(grantView),
  };
}

export async function exportPage(ctx: ExportContext, cursor: string | undefined, limit: number) {
  const first = cursor === undefined;
  let at: ExportPosition | null = first ? { section: 0, inner: null } : decodeExportCursor(cursor, EXPORT_SECTIONS.length);
  const out: Record<SectionName, unknown[]> = { requests: [], ledger: [], webhookDeliveries: [], customModels: [] };
  let room = limit;
  while (at && room > 0) {
    const section = EXPORT_SECTIONS[at.section];
    const { items, next } = await section.page(ctx, at.inner, room);
    out[section.name].push(...items);
    room -= items.length;
    at = advance(at, next, EXPORT_SECTIONS.length);
  }
  return {
    userId: ctx.uid,
    exportedAt: new Date().toISOString(),
    ...(first ? await head(ctx) : { profile: null, apiKeys: null, grants: null }),
    ...out,
    nextCursor: at ? encodeExportCursor(at) : null,
  };
}
