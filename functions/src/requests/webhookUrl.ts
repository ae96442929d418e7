import { isIP } from "node:net";
import { invalidArgument } from "../http/errors";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/**
 * Webhooks go to https only; plain http is allowed for loopback hosts when running locally.
 * Deployed, hosts that name this network (loopback, private and link-local addresses, `.internal`
 * names such as the metadata server) are refused, so a webhook cannot be aimed at our own
 * infrastructure. A public name that resolves to a private address is not caught here.
 */
export function checkWebhookUrl(raw: string, emulated: boolean): void {
  const url = new URL(raw);
  if (url.protocol === "http:" && emulated && LOOPBACK.has(url.hostname)) return;
  if (url.protocol !== "https:") {
    throw invalidArgument("webhookUrl", emulated ? "must be https (or http on a loopback host in the emulator)" : "must be an https URL");
  }
  if (!emulated && isInternalHost(url.hostname)) throw invalidArgument("webhookUrl", "must point at a public host");
}

export function isInternalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".internal") || host.endsWith(".local")) return true;
  if (isIP(host) === 4) {
    const [a, b] = host.split(".").map(Number);
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (isIP(host) === 6) {
    return host === "::1" || host === "::" || host.startsWith("fc") || host.startsWith("fd") || host.startsWith("fe80") || host.startsWith("::ffff:");
  }
  return false;
}
