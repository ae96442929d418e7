// exportUserData: the user's data as pages of one bounded size. The first page carries the head
// (profile, plan, API keys' metadata); every page carries up to `limit` items of the paged
// sections, in order, and the cursor of the next page. Each item appears on exactly one page,
// and a server never holds more than one page, so a 100k-request account exports in bounded memory.
import { listKeys } from "../auth/apiKeyStore";
import { advance, decodeExportCursor, encodeExportCursor, type ExportPosition } from "./exportCursor";
import { EXPORT_SECTIONS, type ExportContext, type SectionName } from "./exportSections";

const iso = (t: FirebaseFirestore.Timestamp | null | undefined) => t?.toDate().toISOString() ?? null;

async function head(ctx: ExportContext) {
  const [user, keys] = await Promise.all([ctx.db.doc(`users/${ctx.uid}`).get(), listKeys(ctx.db, ctx.uid)]);
  return {
    profile: {
      userId: ctx.uid, email: user.get("email") ?? null, role: user.get("role") ?? "user", credits: user.get("credits") ?? 0,
      plan: (user.get("plan") as Record<string, unknown> | undefined) ?? null,
      createdAt: iso(user.get("createdAt")), erasedAt: iso(user.get("erasedAt")),
    },
    // listKeys never reads the hash; createsToday is usage, not the key's metadata.
    apiKeys: keys.map(({ createsToday: _usage, ...k }) => k),
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
    ...(first ? await head(ctx) : { profile: null, apiKeys: null }),
    ...out,
    nextCursor: at ? encodeExportCursor(at) : null,
  };
}
