// Every Firestore read of a report goes through here, so the report can state what it cost and
// the bench can print it. Billing follows Firestore's rules: an aggregation costs 1 read per
// started 1,000 index entries it scans (minimum 1); a query costs 1 read per document returned
// (minimum 1); a document lookup costs 1 read whether or not the document exists.
import { AggregateField, type DocumentReference, type Firestore, type Query } from "firebase-admin/firestore";
import type { ReadCost } from "./types";

export const aggregationReads = (entries: number) => Math.max(1, Math.ceil(entries / 1000));

type SumFields = Record<string, string>;

export class MeteredReader {
  private reads = 0;
  private aggregationReads = 0;
  private queries = 0;
  private readonly groups: Record<string, number> = {};

  constructor(readonly db: Firestore) {}

  /**
   * count() plus sum() of each named field, in one aggregation (one index scan). `scanned`
   * overrides the entries billed when the query scans more entries than it matches (a range
   * filter on a second field).
   */
  async aggregate<K extends string>(group: string, query: Query, sums: Record<K, string>, scanned?: number): Promise<{ count: number } & Record<K, number>> {
    const spec: Record<string, AggregateField<number> | AggregateField<number | null>> = { count: AggregateField.count() };
    for (const [k, field] of Object.entries(sums as SumFields)) spec[`sum_${k}`] = AggregateField.sum(field);
    const data = (await query.aggregate(spec).get()).data() as Record<string, number | null>;
    const count = data.count ?? 0;
    const billed = aggregationReads(scanned ?? count);
    this.aggregationReads += billed;
    this.bill(group, billed);
    const out: Record<string, number> = { count };
    for (const k of Object.keys(sums)) out[k] = data[`sum_${k}`] ?? 0;
    return out as { count: number } & Record<K, number>;
  }

  async count(group: string, query: Query, scanned?: number): Promise<number> {
    return (await this.aggregate(group, query, {}, scanned)).count;
  }

  async query(group: string, query: Query) {
    const snap = await query.get();
    this.bill(group, Math.max(1, snap.size));
    return snap.docs;
  }

  async getAll(group: string, refs: DocumentReference[]) {
    if (refs.length === 0) return [];
    const snaps = await this.db.getAll(...refs);
    this.bill(group, refs.length);
    return snaps;
  }

  cost(): ReadCost {
    return {
      reads: this.reads, queries: this.queries, byGroup: { ...this.groups },
      aggregationReads: this.aggregationReads, documentReads: this.reads - this.aggregationReads,
    };
  }

  private bill(group: string, reads: number) {
    this.reads += reads;
    this.queries += 1;
    this.groups[group] = (this.groups[group] ?? 0) + reads;
  }
}
