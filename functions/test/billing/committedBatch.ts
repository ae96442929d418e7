// A write batch applied as a commit would, in memory (create() refuses an existing document,
// merges keep other fields, increments add): what the pure property tests write money into.
import { FieldValue, type DocumentReference, type SetOptions } from "firebase-admin/firestore";
import type { MoneyWriter } from "../../src/ledger/grants/write";

/** A write batch's effect, committed at once: create() refuses an existing document, merges keep other fields, increments add. */
export class CommittedBatch implements MoneyWriter {
  readonly docs = new Map<string, Record<string, unknown>>();

  create(ref: DocumentReference, data: Record<string, unknown>) {
    if (this.docs.has(ref.path)) throw new Error(`${ref.path} created twice`);
    this.docs.set(ref.path, this.merged({}, data));
  }

  set(ref: DocumentReference, data: Record<string, unknown>, options: SetOptions) {
    this.docs.set(ref.path, this.merged("merge" in options && options.merge ? this.docs.get(ref.path) ?? {} : {}, data));
  }

  /** An update (its precondition is the caller's to model: in memory nobody else writes). */
  update(ref: DocumentReference, data: Record<string, unknown>) {
    if (!this.docs.has(ref.path)) throw new Error(`${ref.path} updated but does not exist`);
    this.docs.set(ref.path, this.merged(this.docs.get(ref.path)!, data));
  }

  under(prefix: string) {
    return [...this.docs].filter(([p]) => p.startsWith(prefix)).map(([p, d]) => ({ id: p.slice(prefix.length), ...d }));
  }

  private merged(base: Record<string, unknown>, data: Record<string, unknown>) {
    const out = { ...base };
    for (const [k, v] of Object.entries(data)) {
      // The SDK's increment transform carries its operand; a missing field counts from 0.
      const inc = v instanceof FieldValue ? (v as unknown as { operand?: number }).operand : undefined;
      if (v instanceof FieldValue && typeof inc !== "number") throw new Error(`unexpected transform on ${k}`);
      out[k] = typeof inc === "number" ? ((out[k] as number | undefined) ?? 0) + inc : v;
    }
    return out;
  }
}
