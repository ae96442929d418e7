// Setting a member's or an organisation key's budget. The budget sits on the document the
// create's commit already reads and guards (the member document, or the key document), so the
// check and the spend count run in the same commit as the debit; writing a budget makes any
// commit in flight for that member or key run again on fresh reads.
import { runMoneyTransaction } from "../shared/transaction";
import { FieldValue, type Firestore } from "firebase-admin/firestore";
import { ApiError } from "../http/errors";
import { recordAudit, type AuditActor } from "../audit/audit";
import { API_KEYS } from "../auth/apiKeyStore";
import { memberPath, type OrgAccess } from "./access";
import { budgetState, type Budget } from "./budget";

export interface SetBudgetInput {
  uid?: string;
  keyId?: string;
  period: Budget["period"];
  credits: number | null;
}

export async function setBudget(db: Firestore, access: OrgAccess, actor: AuditActor, input: SetBudgetInput) {
  const { orgId } = access;
  const ref = input.uid ? db.doc(memberPath(orgId, input.uid)) : db.doc(`${API_KEYS}/${input.keyId}`);
  return runMoneyTransaction(db, async (tx) => {
    const doc = await tx.get(ref);
    if (!doc.exists || (input.keyId && doc.get("orgId") !== orgId)) {
      throw new ApiError("NOT_FOUND", input.uid ? `'${input.uid}' is not a member of organisation '${orgId}'` : `API key '${input.keyId}' is not a key of organisation '${orgId}'`);
    }
    const now = new Date();
    const budget = input.credits === null ? null : { period: input.period, credits: input.credits };
    tx.update(ref, { budget: budget ?? FieldValue.delete(), updatedAt: now });
    recordAudit(db, tx, {
      action: "org.budget.set", actor, target: { userId: input.uid ?? (doc.get("uid") as string), orgId, ...(input.keyId ? { keyId: input.keyId } : {}) },
      before: { budget: doc.get("budget") ?? null }, after: { budget },
    }, now);
    return { orgId, uid: input.uid ?? null, keyId: input.keyId ?? null, budget, usage: usageOf(budget, doc.get("budgetUsed"), now.getTime(), timeZoneOf(access)) };
  });
}

export const timeZoneOf = (access: Pick<OrgAccess, "org">) => (access.org.get("timeZone") as string | undefined) ?? "UTC";

/** What a budget has used in its current period, as the API shows it. */
export function usageOf(budget: Budget | null | undefined, spend: unknown, nowMs: number, timeZone: string) {
  const s = budgetState(budget, spend as { key: string; used: number } | undefined, nowMs, timeZone);
  return s ? { period: s.key, used: s.used, limit: s.budget.credits, resetsAt: new Date(s.resetsAtMs).toISOString() } : null;
}
