// The catalog lives in Firestore (models/, styles/, colors/, sizes/) so operators can change
// prices and switch entries off without a deploy. A short in-memory cache keeps it off the
// hot path: one create costs no catalog reads while the cache is warm.
import { firestore } from "../shared/firestore";
import { config } from "../config";
import { ApiError } from "../http/errors";
import { CATALOG_KINDS, type Catalog, type CatalogItem, type CatalogKind } from "./types";
import { catalogError, parseEntry, type CatalogIssue } from "./schema";

let cache: { at: number; catalog: Promise<Catalog> } | undefined;

export function loadCatalog(now = Date.now()): Promise<Catalog> {
  if (!cache || now - cache.at > config().CATALOG_CACHE_MS) {
    const catalog = readCatalog();
    cache = { at: now, catalog };
    catalog.catch(() => (cache = undefined));
  }
  return cache.catalog;
}

/** Every entry is validated (schema.ts); one bad entry refuses the whole read, naming each, and is re-read once fixed. */
async function readCatalog(): Promise<Catalog> {
  const db = firestore();
  const snaps = await Promise.all(CATALOG_KINDS.map((k) => db.collection(k).get()));
  const out = {} as Record<CatalogKind, Map<string, CatalogItem>>;
  const issues: CatalogIssue[] = [];
  CATALOG_KINDS.forEach((kind, i) => {
    out[kind] = new Map();
    for (const d of snaps[i].docs) {
      const parsed = parseEntry(kind, d.id, d.data());
      if ("issue" in parsed) issues.push(parsed.issue);
      else out[kind].set(d.id, parsed.item);
    }
  });
  if (issues.length) throw catalogError(issues);
  return out as unknown as Catalog;
}

const FIELD_OF: Record<CatalogKind, string> = { models: "model", styles: "style", colors: "color", sizes: "size" };

/** An enabled catalog entry, or INVALID_ARGUMENT naming the field and the allowed ids. */
export function pick<K extends CatalogKind>(catalog: Catalog, kind: K, id: string): Catalog[K] extends Map<string, infer V> ? V : never {
  const field = FIELD_OF[kind];
  const item = (catalog[kind] as Map<string, CatalogItem>).get(id);
  if (!item || !item.enabled) {
    const allowed = [...(catalog[kind] as Map<string, CatalogItem>).values()].filter((i) => i.enabled).map((i) => i.id).sort();
    const why = item ? "is disabled" : "is unknown";
    throw new ApiError("INVALID_ARGUMENT", `${field}: '${id}' ${why}; choose one of ${allowed.join(", ")}`, {
      fields: [{ path: field, message: `'${id}' ${why}` }],
      allowed,
    });
  }
  return item as never;
}
