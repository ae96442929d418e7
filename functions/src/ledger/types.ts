export type LedgerEntryType = "grant" | "debit" | "refund" | "adjustment" | "expire" | "clawback" | "hold" | "release";

export interface LedgerEntry {
  type: LedgerEntryType;
  amount: number;
  balanceAfter: number;
  requestId?: string;
  reason: string;
  actor: string;
  createdAt: Date;
}

export const debitEntryId = (requestId: string) => `debit-${requestId}`;
export const refundEntryId = (requestId: string) => `refund-${requestId}`;

export const TERMINAL_REFUNDABLE = new Set(["failed", "cancelled"]);
export const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
