import { invalidArgument } from "../http/errors";
import { isInternalHost, normalizeHost } from "../webhooks/egress";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/**
 * Webhooks go to https only; plain http is allowed for loopback hosts when running locally.
 * Deployed, hosts that name this network (loopback, private and link-local addresses in any
 * spelling, `.internal` names such as the metadata server) are refused here, at create time; a
 * public name that resolves to a private address is refused at delivery (webhooks/egress.ts).
 */
export function checkWebhookUrl(raw: string, emulated: boolean): void {
  const url = new URL(raw);
  if (url.protocol === "http:" && emulated && LOOPBACK.has(normalizeHost(url.hostname))) return;
  if (url.protocol !== "https:") {
    throw invalidArgument("webhookUrl", emulated ? "must be https (or http on a loopback host in the emulator)" : "must be an https URL");
  }
  if (url.username || url.password) throw invalidArgument("webhookUrl", "must not carry credentials");
  if (!emulated && isInternalHost(url.hostname)) throw invalidArgument("webhookUrl", "must point at a public host");
}
