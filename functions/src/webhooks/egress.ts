// Outbound webhook requests that cannot be aimed at our own network. The URL's host is
// normalised (case, trailing dots, brackets), checked as text (loopback and `.internal` names),
// and resolved at delivery time by the connection's own `lookup`: every address it resolves to
// must be public, and the socket connects to the address that was checked, so a name that
// rebinds between the check and the connection gains nothing. The answer's body is read up to a
// cap and dropped: receivers owe us a status code, not content.
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";

// Two lists: one BlockList matches IPv4 rules against IPv4-mapped IPv6 addresses and back, so a
// ::ffff:0:0/96 rule in a shared list would block every IPv4 address.
const blockedV4 = new BlockList();
const blockedV6 = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.0.2.0", 24], ["192.88.99.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["198.51.100.0", 24],
  ["203.0.113.0", 24], ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) blockedV4.addSubnet(net, prefix, "ipv4");
// IPv6: unspecified and loopback, every form that embeds an IPv4 address (mapped, compatible,
// NAT64, 6to4, Teredo), discard, documentation, unique-local, link-local (fe80::/10 is fe80-febf),
// the old site-local range and multicast.
for (const [net, prefix] of [
  ["::", 128], ["::1", 128], ["::", 96], ["::ffff:0:0", 96], ["64:ff9b::", 96], ["64:ff9b:1::", 48], ["100::", 64],
  ["2001::", 32], ["2001:db8::", 32], ["2002::", 16], ["fc00::", 7], ["fe80::", 10], ["fec0::", 10], ["ff00::", 8],
] as const) blockedV6.addSubnet(net, prefix, "ipv6");

/** Lower case, no brackets, no trailing dots: `LOCALHOST.` and `localhost` are one host. */
export function normalizeHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, "").toLowerCase().replace(/\.+$/, "");
}

export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return family === 4 ? blockedV4.check(address, "ipv4") : blockedV6.check(address, "ipv6");
}

/** Names that denote this machine or the platform's internal network, whatever they resolve to. */
export function isInternalName(host: string): boolean {
  const h = normalizeHost(host);
  return h === "localhost" || h.endsWith(".localhost") || h.endsWith(".internal") || h.endsWith(".local") || (!h.includes(".") && isIP(h) === 0);
}

/** Whether a URL's host may receive webhooks when deployed (before any DNS lookup). */
export function isInternalHost(hostname: string): boolean {
  const h = normalizeHost(hostname);
  return isIP(h) ? isBlockedAddress(h) : isInternalName(h);
}

export class EgressRefused extends Error {}

export type Resolver = (host: string) => Promise<Array<{ address: string; family: number }>>;
const systemResolver: Resolver = (host) => dns.promises.lookup(host, { all: true, verbatim: true });

/** A `lookup` for http.request that refuses a host if any of its addresses is not public. */
export function checkedLookup(resolve: Resolver): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    resolve(hostname).then((addrs) => {
      const bad = addrs.find((a) => isBlockedAddress(a.address));
      if (!addrs.length || bad) throw new EgressRefused(`webhook host ${hostname} resolves to a non-public address`);
      if (options.all) callback(null, addrs);
      else callback(null, addrs[0].address, addrs[0].family);
    }).catch((err) => callback(err));
  }) as LookupFunction;
}

export interface EgressOptions {
  /** The emulator allows loopback receivers; deployed, nothing private is reachable. */
  allowPrivate: boolean;
  timeoutMs: number;
  maxBodyBytes: number;
  resolve?: Resolver;
}

export interface EgressResult {
  status: number;
  bytesRead: number;
}

/** POSTs `body` to `url` without following redirects; resolves with the status once the capped body is read. */
export function postOut(url: string, headers: Record<string, string>, body: string, opts: EgressOptions): Promise<EgressResult> {
  const target = new URL(url);
  const host = normalizeHost(target.hostname);
  if (!opts.allowPrivate && (isIP(host) ? isBlockedAddress(host) : isInternalName(host))) {
    return Promise.reject(new EgressRefused(`webhook host ${host} is not public`));
  }
  const lib = target.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(target, {
      method: "POST",
      headers: { ...headers, "content-length": Buffer.byteLength(body) },
      timeout: opts.timeoutMs,
      ...(opts.allowPrivate ? {} : { lookup: checkedLookup(opts.resolve ?? systemResolver) }),
    }, (res) => {
      let bytesRead = 0;
      res.on("data", (chunk: Buffer) => {
        bytesRead += chunk.length;
        if (bytesRead >= opts.maxBodyBytes) {
          res.destroy();
          resolve({ status: res.statusCode ?? 0, bytesRead });
        }
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, bytesRead }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}
