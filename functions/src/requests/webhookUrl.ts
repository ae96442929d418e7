import { invalidArgument } from "../http/errors";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** Webhooks go to https only; plain http is allowed for loopback hosts when running locally. */
export function checkWebhookUrl(raw: string, emulated: boolean): void {
  const url = new URL(raw);
  if (url.protocol === "https:") return;
  if (url.protocol === "http:" && emulated && LOOPBACK.has(url.hostname)) return;
  throw invalidArgument("webhookUrl", emulated ? "must be https (or http on a loopback host in the emulator)" : "must be an https URL");
}
