// Holds in Firestore: `{wallet}/holds/{holdId}`. Taking a hold and releasing one are transactions
// on the wallet document (a few per minute per instance on a hot account, none on a quiet one);
// the spends in between write only the hold document (holdCommit.ts). Each step's ledger entry
// has a deterministic id and is create()d, and the hold document carries its state, so a step
// that ran twice (a retried transaction, an ambiguous commit, the owner and the sweeper at once)
// writes once: the second finds the hold closed, or its entry already there.
import { AggregateField, type DocumentSnapshot, type Firestore, type Transaction } from "firebase-admin/firestore";
import { refundTargets, type GrantInfo } from "../grants/allocate";
import { WalletSession } from "../grants/session";
import { walletFields, walletOf, type Draw } from "../grants/wallet";
import { writeSession } from "../grants/write";
import { grantDocPath, walletPath, type WalletRef } from "../walletRef";
import { runMoneyTransaction } from "../../shared/transaction";
import { holdEntryId, releaseEntryId, unspentOf, type Hold } from "./hold";

export const holdPath = (w: WalletRef, holdId: string) => `${walletPath(w)}/holds/${holdId}`;
export const holdsPath = (w: WalletRef) => `${walletPath(w)}/holds`;

const msOf = (v: unknown) => (v == null ? null : (v as { toMillis(): number }).toMillis());

export function holdOf(snap: DocumentSnapshot): Hold {
  const x = snap.data() ?? {};
  return {
    id: snap.id, instance: String(x.instance), reserved: Number(x.reserved), spent: Number(x.spent),
    draws: ((x.draws as Draw[] | undefined) ?? []).map((d) => ({ grantId: String(d.grantId), amount: Number(d.amount) })),
    state: x.state === "open" ? "open" : "closed", expiresAtMs: msOf(x.expiresAt) ?? 0,
  };
}

/** The hold document's fields for a hold (its `unspent` is what the balance read sums). */
export const holdFields = (h: Hold) => ({ spent: h.spent, draws: h.draws, unspent: unspentOf(h) });

export type Reserved = { ok: true; hold: Hold; balanceAfter: number } | { ok: false; why: string; available: number };

/**
 * In one transaction on the wallet: releases `replaces` (the instance's previous hold, if still
 * open) and moves up to `amount` (at least `min`) into a new hold owned by `instance`. A hold never
 * takes the wallet into debt: with less than `min` available nothing new is held.
 */
export async function rollHold(db: Firestore, wallet: WalletRef, opts: { holdId: string; instance: string; amount: number; min?: number; ttlMs: number; replaces?: string | null; now: Date }): Promise<Reserved> {
  return runMoneyTransaction(db, async (tx) => {
    const doc = await tx.get(db.doc(walletPath(wallet)));
    const old = opts.replaces ? await readRelease(db, tx, wallet, opts.replaces) : null;
    const info = old ? await grantInfoFor(db, tx, wallet, doc.data(), [old]) : new Map<string, GrantInfo>();
    const actor = `system:instance:${opts.instance}`;
    const session = new WalletSession(walletOf(doc.data()), opts.now.getTime(), actor);
    if (old) writeRelease(tx, session, old, info, { actor, reason: "hold replaced", now: opts.now });
    const amount = Math.min(opts.amount, Math.max(0, session.credits));
    const refused = !doc.exists || doc.get("erasureStartedAt") ? "no-wallet" : amount < Math.max(1, opts.min ?? opts.amount) ? "insufficient" : null;
    const plan = refused ? null : session.hold(holdEntryId(opts.holdId), amount, { holdId: opts.holdId, reason: "credits held for creates", actor });
    if (old || plan?.ok) {
      writeSession(db, tx, wallet, session, opts.now);
      tx.set(doc.ref, { ...walletFields(session.wallet), updatedAt: opts.now }, { merge: true });
    }
    if (!plan || !plan.ok) return { ok: false, why: plan && !plan.ok ? plan.why : refused!, available: session.credits };
    const hold: Hold = { id: opts.holdId, instance: opts.instance, reserved: amount, spent: 0, draws: plan.draws, state: "open", expiresAtMs: opts.now.getTime() + opts.ttlMs };
    tx.create(db.doc(holdPath(wallet, opts.holdId)), {
      instance: opts.instance, reserved: amount, ...holdFields(hold), state: "open",
      expiresAt: new Date(hold.expiresAtMs), createdAt: opts.now, updatedAt: opts.now,
    });
    return { ok: true, hold, balanceAfter: session.credits };
  });
}

/** Moves exactly `amount` from the wallet into a new hold. */
export const reserveHold = (db: Firestore, wallet: WalletRef, opts: { holdId: string; instance: string; amount: number; ttlMs: number; now: Date }) => rollHold(db, wallet, { ...opts, min: opts.amount });

export interface Released { holdId: string; returned: number; forfeited: number }

/** Reads what releasing the hold needs inside `tx` (before any write); null when it is closed or gone. */
export async function readRelease(db: Firestore, tx: Transaction, wallet: WalletRef, holdId: string) {
  const hold = await tx.get(db.doc(holdPath(wallet, holdId)));
  if (!hold.exists || hold.get("state") !== "open") return null;
  return hold;
}

/**
 * Writes the release of an open hold into a session whose wallet the caller writes: its unspent
 * draws go back to their grants (an expired grant's share is forfeited, as for a refund), the hold
 * is closed. `info` names the drawn grants no longer in the wallet (grantInfoFor).
 */
export function writeRelease(tx: Transaction, session: WalletSession, holdSnap: DocumentSnapshot, info: ReadonlyMap<string, GrantInfo>, opts: { actor: string; reason: string; now: Date }): Released {
  const hold = holdOf(holdSnap);
  const r = session.release(releaseEntryId(hold.id), hold.draws, info, { holdId: hold.id, reason: opts.reason, actor: opts.actor });
  tx.update(holdSnap.ref, { state: "closed", draws: [], unspent: 0, returned: r.amount, forfeited: r.forfeited, expiresAt: null, closedAt: opts.now, closedBy: opts.actor, updatedAt: opts.now });
  return { holdId: hold.id, returned: r.amount, forfeited: r.forfeited };
}

/** Stored facts of the grants `holds` drew from that the wallet no longer lists (spent to zero, or expired). */
export async function grantInfoFor(db: Firestore, tx: Transaction, wallet: WalletRef, walletData: Record<string, unknown> | undefined, holds: DocumentSnapshot[]): Promise<Map<string, GrantInfo>> {
  const drawn = holds.flatMap((h) => holdOf(h).draws.map((d) => d.grantId));
  const ids = refundTargets(walletOf(walletData), [...new Set(drawn)]);
  const snaps = await Promise.all(ids.map((id) => tx.get(db.doc(grantDocPath(wallet, id)))));
  const info = new Map<string, GrantInfo>();
  for (const s of snaps) if (s.exists) info.set(s.id, { source: s.get("source"), expiresAtMs: msOf(s.get("expiresAt")), createdAtMs: msOf(s.get("createdAt")) ?? 0 });
  return info;
}

/** Returns an open hold's unspent credits to the wallet; null when it was closed already. */
export async function releaseHold(db: Firestore, wallet: WalletRef, holdId: string, opts: { actor: string; reason: string; now?: Date }): Promise<Released | null> {
  return runMoneyTransaction(db, async (tx) => {
    const hold = await readRelease(db, tx, wallet, holdId);
    if (!hold) return null;
    const doc = await tx.get(db.doc(walletPath(wallet)));
    const info = await grantInfoFor(db, tx, wallet, doc.data(), [hold]);
    const now = opts.now ?? new Date();
    const session = new WalletSession(walletOf(doc.data()), now.getTime(), opts.actor);
    const released = writeRelease(tx, session, hold, info, { ...opts, now });
    writeSession(db, tx, wallet, session, now);
    tx.set(doc.ref, { ...walletFields(session.wallet), updatedAt: now }, { merge: true });
    return released;
  });
}

/**
 * What the wallet's open holds have not spent: one sum aggregation over them (at most one open
 * hold per instance), whatever the number of creates. The available balance is the wallet's
 * `credits` plus this.
 */
export async function heldCredits(db: Firestore, wallet: WalletRef): Promise<number> {
  const agg = await db.collection(holdsPath(wallet)).where("state", "==", "open").aggregate({ held: AggregateField.sum("unspent") }).get();
  return agg.data().held ?? 0;
}
