// Data lifecycle settings, validated once like the rest of the configuration (config.ts): a bad
// value refuses to load instead of deleting on the wrong schedule.
import { z } from "zod";

const days = (def: number) => z.coerce.number().int().min(1).max(3650).default(def);

export const configSchema = z.object({
  /** Outputs (images and thumbnails) are deleted this many days after their request finished. */
  OUTPUT_RETENTION_DAYS: days(30),
  /** Input photos are deleted this many days after the last request that used them finished. */
  INPUT_RETENTION_DAYS: days(7),
  /** Documents (or objects) per retention batch; a run does at most RETENTION_MAX_BATCHES of them per pass. */
  RETENTION_BATCH_LIMIT: z.coerce.number().int().min(1).max(500).default(200),
  /** Batches one retention run does per pass before it stops (the next hourly run continues). */
  RETENTION_MAX_BATCHES: z.coerce.number().int().min(1).max(1000).default(20),
  /** A user erasing their own account must have signed in this recently (ID token auth_time). */
  ERASE_FRESH_SIGNIN_SECONDS: z.coerce.number().int().min(30).max(86_400).default(300),
  /** An unfinished erasure untouched this long is resumed by the scheduled run. */
  ERASE_RESUME_AFTER_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  /** Training photos are deleted this many hours after training ended (ready, failed, cancelled); 0: at once. */
  TRAINING_PHOTO_RETENTION_HOURS: z.coerce.number().int().min(0).max(8760).default(0),
  /** Items per exportUserData page. */
  EXPORT_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(200),
});

export type LifecycleConfig = z.infer<typeof configSchema>;

export function loadLifecycleConfig(env: NodeJS.ProcessEnv = process.env): LifecycleConfig {
  const r = configSchema.safeParse(env);
  if (r.success) return r.data;
  throw new Error(`invalid lifecycle configuration:\n${r.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
}

let cached: LifecycleConfig | undefined;
export function lifecycleConfig(): LifecycleConfig {
  cached ??= loadLifecycleConfig();
  return cached;
}
