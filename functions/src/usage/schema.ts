// What getUsage accepts and answers (the OpenAPI document reads these too).
import { z } from "zod";
import { docId } from "../http/ids";

/** The longest range one call may read: one counter document per day, so at most this many reads. */
export const MAX_USAGE_DAYS = 366;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a calendar day YYYY-MM-DD")
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), "not a calendar day");

export const usageQuerySchema = () =>
  z.strictObject({
    from: day.optional().meta({ description: "first day, inclusive (the report calendar, REPORT_TIME_ZONE); default 29 days before `to`" }),
    to: day.optional().meta({ description: "last day, inclusive; default today" }),
    groupBy: z.enum(["day", "model", "key", "member"]).default("day").meta({ description: "day: one row per day of the range, empty days included; model, key: one row each over the range; member: one row per member of the organisation (your own wallet: you)" }),
    orgId: docId.optional().meta({ description: "an organisation's wallet instead of your own (its owners, admins and billing members); groupBy member then splits by member" }),
    format: z.enum(["json", "csv"]).default("json").meta({ description: "csv: the rows as text/csv with a header line" }),
    userId: docId.optional().meta({ description: "admins only: another user's usage" }),
  });

export type UsageQuery = z.output<ReturnType<typeof usageQuerySchema>>;

const count = z.number().int().min(0);

export const usageRowSchema = z.strictObject({
  key: z.string().meta({ description: "the day, model id, API key id (`signed-in` for jobs made without a key) or member's user id" }),
  requests: count,
  images: count,
  creditsDebited: count,
  creditsRefunded: count,
  gpuSeconds: z.number().min(0).meta({ description: "ComfyUI execution time, counted in whole milliseconds" }),
}).meta({ id: "UsageRow" });

export const usageReplySchema = z.strictObject({
  userId: z.string(),
  orgId: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  groupBy: z.enum(["day", "model", "key", "member"]),
  timeZone: z.string().meta({ description: "the calendar the days are in (REPORT_TIME_ZONE)" }),
  rows: z.array(usageRowSchema),
  totals: usageRowSchema.omit({ key: true }),
});

export type UsageRow = z.output<typeof usageRowSchema>;
export type UsageReply = z.output<typeof usageReplySchema>;
