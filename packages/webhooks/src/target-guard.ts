// Where a webhook may be sent (SSRF protection): only public unicast addresses, checked after DNS
// resolution, unless WEBHOOK_ALLOWED_HOSTS lists the host (host or host:port). Plain http only to
// listed hosts, or anywhere when allowHttp. Checked at submission and again at each delivery (DNS
// can change), where the connection is pinned to the address that was checked.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

import ipaddr from 'ipaddr.js';

export interface TargetPolicy {
  /** host or host:port entries (lower case) that may be private, loopback or plain http. */
  allowedHosts: ReadonlySet<string>;
  /** Plain http to any (public) host. */
  allowHttp: boolean;
}

export function targetPolicy(allowedHosts: string, allowHttp: boolean): TargetPolicy {
  const hosts = allowedHosts
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  return { allowedHosts: new Set(hosts), allowHttp };
}

export type TargetCheck =
  { ok: true; url: URL; address: string; family: 4 | 6 } | { ok: false; reason: string };

function defaultPort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

function isListed(url: URL, policy: TargetPolicy): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return policy.allowedHosts.has(host) || policy.allowedHosts.has(`${host}:${defaultPort(url)}`);
}

/** Why an address may not be a webhook target, or undefined when it may. */
export function refusedAddress(address: string): string | undefined {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  return range === 'unicast' ? undefined : `${address} is a ${range} address`;
}

export async function checkTarget(target: string, policy: TargetPolicy): Promise<TargetCheck> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { ok: false, reason: 'is not a URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, reason: 'must be an http(s) URL' };
  }
  if (url.username || url.password) return { ok: false, reason: 'must not carry credentials' };
  const listed = isListed(url, policy);
  if (url.protocol === 'http:' && !listed && !policy.allowHttp) {
    return { ok: false, reason: 'must use https (plain http only to WEBHOOK_ALLOWED_HOSTS)' };
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch (error) {
      return { ok: false, reason: `its host does not resolve (${(error as Error).message})` };
    }
  }
  if (addresses.length === 0) return { ok: false, reason: 'its host does not resolve' };
  if (!listed) {
    for (const { address } of addresses) {
      const refused = refusedAddress(address);
      if (refused) {
        return {
          ok: false,
          reason: `resolves to a private, loopback or link-local address (${refused}); WEBHOOK_ALLOWED_HOSTS may permit it`,
        };
      }
    }
  }
  const first = addresses[0] as { address: string; family: number };
  return { ok: true, url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
