import { endpoint } from "../http/endpoint";
import { parseInput } from "../http/validate";
import { targetUser } from "../auth/caller";
import { firestore } from "../shared/firestore";
import { calendarDayOf, reportTimeZone } from "../shared/isoWeek";
import { readDailyUsage } from "./read";
import { orgAccess } from "../orgs/access";
import { orgWallet, userWallet } from "../ledger/walletRef";
import { dayBefore, daysBetween, totalsOf, usageCsv, usageRows } from "./rows";
import { MAX_USAGE_DAYS, usageQuerySchema, usageReplySchema, type UsageReply } from "./schema";

const DEFAULT_DAYS = 30;

export const getUsage = endpoint({
  name: "getUsage", method: "GET", access: "user", scope: "read",
  summary: "Requests, images, credits debited and refunded, and GPU-seconds of your wallet or an organisation's, per day, model, key or member; JSON or CSV",
  input: usageQuerySchema, output: () => usageReplySchema,
}, async ({ caller, query }) => {
  const q = parseInput(usageQuerySchema(), query, "query");
  const uid = targetUser(caller, q.userId);
  // An organisation's usage is its wallet's: for its owners, admins and billing members.
  if (q.orgId) await orgAccess(firestore(), caller, q.orgId, "usage");
  const wallet = q.orgId ? orgWallet(q.orgId) : userWallet(uid);
  const timeZone = reportTimeZone();
  const to = q.to ?? calendarDayOf(new Date(), timeZone);
  const from = q.from ?? dayBefore(to, DEFAULT_DAYS - 1);
  const days = daysBetween(from, to, MAX_USAGE_DAYS);
  const orgId = q.orgId ?? null;
  const rows = usageRows(days, await readDailyUsage(firestore(), wallet, days), q.groupBy, uid);
  const body: UsageReply = { userId: uid, orgId, from, to, groupBy: q.groupBy, timeZone, rows, totals: totalsOf(rows) };
  if (q.format === "csv") {
    return { body, text: { contentType: "text/csv; charset=utf-8", body: usageCsv(rows, q.groupBy), filename: `usage-${from}-${to}-${q.groupBy}.csv` } };
  }
  return { body };
});
