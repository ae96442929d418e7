// Why a debit was refused, as the client sees it.
import { ApiError } from "../../http/errors";
import type { DebitPlan } from "./allocate";

export function refusalOf(plan: Extract<DebitPlan, { ok: false }>, cost: number): ApiError {
  if (plan.why === "frozen") {
    return new ApiError("FAILED_PRECONDITION", "paid requests are paused while a payment dispute is open", { reason: "dispute" });
  }
  if (plan.why === "debt") {
    return new ApiError("INSUFFICIENT_CREDITS", `the account owes ${-plan.available} credits (a refunded payment, or usage beyond a lowered or suspended credit limit); a new purchase or payment pays it off`, { required: cost, available: plan.available });
  }
  return new ApiError("INSUFFICIENT_CREDITS", `this request costs ${cost} credits; the balance is ${plan.available}`, { required: cost, available: plan.available });
}
