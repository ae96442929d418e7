// A refund gives its budgets back: the spend counted by the create (`budgetCharges` on the job)
// comes off the member's or key's spend, in the refund's transaction, if the period it was
// counted in is still the current one (a past period's spend no longer limits anything).
import type { DocumentSnapshot, Firestore, Transaction } from "firebase-admin/firestore";
import { API_KEYS } from "../auth/apiKeyStore";
import { memberPath } from "./access";
import { givenBack, type BudgetSpend } from "./budget";
import type { BudgetCharge } from "../requests/commitPlan";

export interface BudgetReads {
  charges: BudgetCharge[];
  docs: DocumentSnapshot[];
}

function budgetDocPath(orgId: string, budget: string): string | null {
  const [kind, id] = budget.split(":");
  if (kind === "member") return memberPath(orgId, id);
  if (kind === "key") return `${API_KEYS}/${id}`;
  return null;
}

/** Reads the budget documents a job's charges name (before any write of the transaction). */
export async function readBudgetRefund(db: Firestore, tx: Transaction, job: DocumentSnapshot): Promise<BudgetReads> {
  const orgId = job.get("orgId") as string | null | undefined;
  const charges = ((job.get("budgetCharges") as BudgetCharge[] | undefined) ?? []).filter((c) => orgId && budgetDocPath(orgId, c.budget));
  const docs = await Promise.all(charges.map((c) => tx.get(db.doc(budgetDocPath(orgId!, c.budget)!))));
  return { charges, docs };
}

export function writeBudgetRefund(tx: Transaction, reads: BudgetReads, now: Date): void {
  reads.charges.forEach((c, i) => {
    const doc = reads.docs[i];
    const back = doc.exists ? givenBack(doc.get("budgetUsed") as BudgetSpend | undefined, c.key, c.amount) : null;
    if (back) tx.update(doc.ref, { budgetUsed: back, updatedAt: now });
  });
}
