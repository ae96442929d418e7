// Writes a WalletSession into a transaction or a write batch: ledger entries are create()d (their
// ids are deterministic, so a second writer of the same fact fails instead of writing twice),
// grant documents get their counters, the caller writes the wallet document (walletFields) with
// whatever precondition its commit uses. The wallet is a user's or an organisation's (walletRef.ts).
import { FieldValue, type DocumentReference, type Firestore, type SetOptions } from "firebase-admin/firestore";
import type { WalletSession } from "./session";
import { grantDocPath, ledgerEntryPath, type WalletRef } from "../walletRef";

export interface MoneyWriter {
  create(ref: DocumentReference, data: Record<string, unknown>): unknown;
  set(ref: DocumentReference, data: Record<string, unknown>, options: SetOptions): unknown;
}

export function writeSession(db: Firestore, w: MoneyWriter, wallet: WalletRef, s: WalletSession, now: Date): void {
  for (const e of s.entries) w.create(db.doc(ledgerEntryPath(wallet, e.id)), { ...e.data, createdAt: now });
  for (const g of s.newGrants.values()) {
    const c = s.counters.get(g.id) ?? { drawn: 0, givenBack: 0, expired: 0 };
    w.create(db.doc(grantDocPath(wallet, g.id)), {
      source: g.source, amount: g.amount, expiresAt: g.expiresAtMs == null ? null : new Date(g.expiresAtMs), createdAt: new Date(g.createdAtMs),
      origin: g.origin, ...c, remaining: g.amount - c.drawn + c.givenBack - c.expired, updatedAt: now,
    });
  }
  for (const id of s.endedEarly) {
    if (!s.newGrants.has(id) && !s.counters.has(id)) w.set(db.doc(grantDocPath(wallet, id)), { expiresAt: now, updatedAt: now }, { merge: true });
  }
  for (const [id, c] of s.counters) {
    if (s.newGrants.has(id)) continue;
    w.set(db.doc(grantDocPath(wallet, id)), {
      drawn: FieldValue.increment(c.drawn), givenBack: FieldValue.increment(c.givenBack), expired: FieldValue.increment(c.expired),
      remaining: FieldValue.increment(c.givenBack - c.drawn - c.expired), updatedAt: now, ...(s.endedEarly.has(id) ? { expiresAt: now } : {}),
    }, { merge: true });
  }
}
