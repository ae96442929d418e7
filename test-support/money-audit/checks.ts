// The money audit's checks, pure: one wallet as read from Firestore (its document, ledger, grant
// documents), the paid jobs it owns and its weekly usage counters in, every violated rule out,
// each naming the wallet and the entry or job. The rules are DESIGN.md's "Credits: the rules that
// must never break"; nothing here calls the code that writes money, so a bug there cannot make
// its own check pass.
import { calendarDayOf, isoWeekOf } from "../../functions/src/shared/isoWeek";
import { auditHolds, fromHold, walletMoves, type AuditHold } from "./holds";

export const DEBT = "debt";

export interface AuditDraw { grantId: string; amount: number }

export interface AuditEntry {
  id: string;
  type: string;
  amount: number;
  balanceAfter?: number;
  draws?: AuditDraw[];
  grantId?: string;
  requestId?: string;
  excessGrantId?: string;
  /** The escrow hold a `hold`/`release` entry moved, or a debit spent from. */
  holdId?: string;
  /** A release's share of expired grants, not returned. */
  forfeited?: AuditDraw[];
  createdAtMs: number;
  /** The entry's commit time (createTime) in microseconds: entries of one commit share it. */
  commitUs: number;
}

export interface AuditGrantDoc { id: string; amount: number; remaining: number; drawn: number; givenBack: number; expired: number; origin?: Record<string, unknown> }

export interface AuditJob { collection: string; id: string; status: string; cost: number; refunded: boolean; createdAtMs: number | null }

/** A usage counter: a weekly one (`week`) or a daily one (`day`, getUsage's). */
export interface AuditUsage { week?: string; day?: string; creditsDebited: number; creditsRefunded: number }

export interface AuditWallet {
  /** e.g. `users/u1` (an organisation's would be `orgs/o1`). */
  path: string;
  exists: boolean;
  credits: number;
  debt: number;
  /** The wallet's live grants as stored on its document; null for a balance that predates grants. */
  grants: { id: string; remaining: number }[] | null;
  entries: AuditEntry[];
  grantDocs: AuditGrantDoc[];
  jobs: AuditJob[];
  usage: AuditUsage[];
  /** The wallet's escrow hold documents (none for most wallets). */
  holds?: AuditHold[];
}

export const REFUNDABLE = new Set(["failed", "cancelled"]);

/** Entry kinds whose draws take credits out of a grant (a refund gives back, an expiry expires). */
const TAKES = new Set(["debit", "adjustment", "clawback", "grant", "hold"]);
/** Entry kinds whose draws give credits back to a grant. */
const GIVES = new Set(["refund", "release"]);

export function auditWallet(w: AuditWallet, timeZone = "UTC"): string[] {
  const out: string[] = [];
  const v = (what: string) => out.push(`${w.path}: ${what}`);
  if (!w.exists) {
    v(`no wallet document, yet ${w.entries.length} ledger entries, ${w.jobs.length} jobs [${w.jobs.slice(0, 3).map((j) => j.id).join(", ")}] and ${w.usage.length} usage counters name it`);
    return out;
  }
  balances(w, v);
  runningSums(w, v);
  auditHolds(w.credits, w.entries, w.holds ?? [], v);
  grantCounters(w, v);
  jobs(w, v);
  usage(w, v, timeZone);
  return out;
}

function balances(w: AuditWallet, v: (s: string) => void) {
  // Debits spent from a hold moved the hold, not the wallet (holds.ts).
  const moves = walletMoves(w.entries);
  const sum = moves.reduce((s, e) => s + e.amount, 0);
  if (w.credits !== sum) v(`credits ${w.credits} != Σ ledger ${sum} (${moves.length} entries${moves.length < w.entries.length ? `, besides ${w.entries.length - moves.length} debits from holds` : ""})`);
  if (w.grants) {
    const live = w.grants.reduce((s, g) => s + g.remaining, 0);
    if (w.credits !== live - w.debt) v(`credits ${w.credits} != Σ live grant remaining ${live} − debt ${w.debt}`);
  }
}

/**
 * balanceAfter must be the running sum in commit order. Entries of one commit share a commit time;
 * within it the order is whichever makes each balanceAfter follow from the previous one.
 */
function runningSums(w: AuditWallet, v: (s: string) => void) {
  const commits = new Map<number, AuditEntry[]>();
  for (const e of walletMoves(w.entries)) commits.set(e.commitUs, [...(commits.get(e.commitUs) ?? []), e]);
  let balance = 0;
  for (const t of [...commits.keys()].sort((a, b) => a - b)) {
    const group = commits.get(t)!;
    const order = chain(balance, group);
    if (!order) {
      const e = group.find((x) => x.balanceAfter !== balance + x.amount) ?? group[0];
      v(`entry ${e.id} (${e.type} ${e.amount}${group.length > 1 ? `, one of ${group.length} in its commit` : ""}): balanceAfter ${e.balanceAfter} != running sum ${balance} + ${e.amount} = ${balance + e.amount}`);
    }
    balance += group.reduce((s, e) => s + e.amount, 0);
  }
}

/** An order of one commit's entries in which each balanceAfter follows from the one before, or null. */
function chain(start: number, group: AuditEntry[]): AuditEntry[] | null {
  if (!group.length) return [];
  for (let i = 0; i < group.length; i++) {
    const e = group[i];
    if (e.balanceAfter !== start + e.amount) continue;
    const rest = chain(e.balanceAfter, [...group.slice(0, i), ...group.slice(i + 1)]);
    if (rest) return [e, ...rest];
  }
  return null;
}

/** Per grant: amount, drawn, givenBack and expired counted from the ledger, against its document and the wallet. */
function grantCounters(w: AuditWallet, v: (s: string) => void) {
  const counted = new Map<string, { drawn: number; givenBack: number; expired: number; by: string[] }>();
  const amounts = new Map<string, number>();
  const at = (id: string) => counted.get(id) ?? (counted.set(id, { drawn: 0, givenBack: 0, expired: 0, by: [] }), counted.get(id)!);
  for (const e of w.entries) {
    // A grant entry without grantId predates grants: its credits sit in the migrated balance's grant.
    if (e.type === "grant" && e.grantId) amounts.set(e.grantId, e.amount);
    if (e.excessGrantId) amounts.set(e.excessGrantId, e.amount - (e.draws ?? []).reduce((s, d) => s + d.amount, 0));
    // A debit from a hold names the grants its credits came from; the hold entry drew them.
    if (fromHold(e)) continue;
    for (const d of e.draws ?? []) {
      if (d.grantId === DEBT) continue;
      const c = at(d.grantId);
      c.by.push(e.id);
      if (GIVES.has(e.type)) c.givenBack += d.amount;
      else if (e.type === "expire") c.expired += d.amount;
      else if (TAKES.has(e.type)) c.drawn += d.amount;
      else v(`entry ${e.id}: a ${e.type} entry with draws`);
    }
  }
  const docs = new Map(w.grantDocs.map((g) => [g.id, g]));
  const ids = new Set([...counted.keys(), ...amounts.keys(), ...docs.keys(), ...(w.grants ?? []).map((g) => g.id)]);
  for (const id of ids) {
    const doc = docs.get(id);
    if (!doc) {
      v(`grant ${id} (named by ${[...(counted.get(id)?.by ?? []), ...(amounts.has(id) ? ["its grant entry"] : [])].join(", ") || "the wallet"}) has no grant document`);
      continue;
    }
    // A balance from before grants became one grant (origin.migratedBalance): no entry carries its amount.
    const amount = amounts.get(id) ?? (doc.origin?.migratedBalance ? doc.amount : undefined);
    if (amount === undefined) { v(`grant ${id}: no ledger entry grants it`); continue; }
    const c = counted.get(id) ?? { drawn: 0, givenBack: 0, expired: 0, by: [] };
    const remaining = amount - c.drawn + c.givenBack - c.expired;
    const expect = { amount, remaining, drawn: c.drawn, givenBack: c.givenBack, expired: c.expired };
    for (const k of Object.keys(expect) as (keyof typeof expect)[]) {
      if (doc[k] !== expect[k]) v(`grant ${id}: document ${k} ${doc[k]} != ${expect[k]} counted from the ledger (amount ${amount} − drawn ${c.drawn} + givenBack ${c.givenBack} − expired ${c.expired})`);
    }
    if (remaining < 0) v(`grant ${id}: remaining ${remaining} counted from the ledger is negative`);
    const held = w.grants?.find((g) => g.id === id);
    if (w.grants && (held?.remaining ?? 0) !== remaining) v(`grant ${id}: wallet holds ${held?.remaining ?? "nothing"}, the ledger says ${remaining} remain`);
  }
}

/** One debit per paid job; one refund iff it ended failed or cancelled (a deleted model: iff marked refunded). */
function jobs(w: AuditWallet, v: (s: string) => void) {
  const byJob = new Map<string, AuditEntry[]>();
  for (const e of w.entries) {
    if (e.type !== "debit" && e.type !== "refund") continue;
    const job = e.requestId ?? e.id.replace(/^(debit|refund)-/, "");
    byJob.set(job, [...(byJob.get(job) ?? []), e]);
  }
  const known = new Set<string>();
  for (const j of w.jobs) {
    known.add(j.id);
    const name = `job ${j.collection}/${j.id} (${j.status}, cost ${j.cost}, refunded ${j.refunded})`;
    const entries = byJob.get(j.id) ?? [];
    const debits = entries.filter((e) => e.type === "debit");
    const refunds = entries.filter((e) => e.type === "refund");
    const paid = j.cost > 0;
    if (debits.length !== (paid ? 1 : 0)) v(`${name}: ${debits.length} debit entries [${debits.map((e) => e.id).join(", ")}], expected ${paid ? 1 : 0}`);
    for (const d of debits) if (d.amount !== -j.cost) v(`${name}: debit ${d.id} amount ${d.amount} != −cost ${-j.cost}`);
    const owed = paid && (REFUNDABLE.has(j.status) || (j.status === "deleted" && j.refunded));
    if (refunds.length !== (owed ? 1 : 0)) v(`${name}: ${refunds.length} refund entries [${refunds.map((e) => e.id).join(", ")}], expected ${owed ? 1 : 0}`);
    if (paid && REFUNDABLE.has(j.status) !== j.refunded && j.status !== "deleted") v(`${name}: refunded flag ${j.refunded} for status ${j.status}`);
  }
  for (const [job, entries] of byJob) if (!known.has(job)) v(`entries [${entries.map((e) => e.id).join(", ")}] name job ${job}, which does not exist`);
}

/** The weekly and daily counters equal the ledger: debits in the period of the debit, refunds in the period the job was created. */
function usage(w: AuditWallet, v: (s: string) => void, timeZone: string) {
  const weekly = w.usage.flatMap((u) => (u.week !== undefined ? [[u.week, u] as const] : []));
  const daily = w.usage.flatMap((u) => (u.day !== undefined ? [[u.day, u] as const] : []));
  periodUsage(w, v, "usageWeekly", (ms) => isoWeekOf(new Date(ms), timeZone), new Map(weekly));
  periodUsage(w, v, "usageDaily", (ms) => calendarDayOf(new Date(ms), timeZone), new Map(daily));
}

function periodUsage(w: AuditWallet, v: (s: string) => void, name: string, periodOf: (ms: number) => string, stored: Map<string, AuditUsage>) {
  const jobCreated = new Map(w.jobs.map((j) => [j.id, j.createdAtMs]));
  const debitAt = new Map(w.entries.filter((e) => e.type === "debit").map((e) => [e.requestId ?? e.id.slice(6), e.createdAtMs]));
  const want = new Map<string, { debited: number; refunded: number; debits: number; refunds: number }>();
  const at = (ms: number) => {
    const period = periodOf(ms);
    return want.get(period) ?? (want.set(period, { debited: 0, refunded: 0, debits: 0, refunds: 0 }), want.get(period)!);
  };
  for (const e of w.entries) {
    if (e.type === "debit") { const c = at(e.createdAtMs); c.debited -= e.amount; c.debits++; }
    if (e.type === "refund") {
      const job = e.requestId ?? e.id.slice(7);
      const c = at(jobCreated.get(job) ?? debitAt.get(job) ?? e.createdAtMs);
      c.refunded += e.amount;
      c.refunds++;
    }
  }
  for (const period of new Set([...want.keys(), ...stored.keys()])) {
    const x = want.get(period) ?? { debited: 0, refunded: 0, debits: 0, refunds: 0 };
    const s = stored.get(period) ?? { creditsDebited: 0, creditsRefunded: 0 };
    if (s.creditsDebited !== x.debited) v(`${name} ${period}: creditsDebited ${s.creditsDebited} != ${x.debited} from ${x.debits} debit entries`);
    if (s.creditsRefunded !== x.refunded) v(`${name} ${period}: creditsRefunded ${s.creditsRefunded} != ${x.refunded} from ${x.refunds} refund entries`);
  }
}
