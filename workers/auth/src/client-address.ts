import ipaddr from "ipaddr.js";

/**
 * Who a request came from, for rate limits: `CF-Connecting-IP`, which Cloudflare sets on
 * every request (a client cannot choose it in production). An IPv6 address counts as its
 * /64, one subscriber's usual allocation, so rotating addresses within it buys no fresh
 * budget; an IPv4-mapped IPv6 address counts as the IPv4 address.
 */
export function clientKey(header: string | undefined): string {
  if (!header || !ipaddr.isValid(header)) return "unknown";
  const address = ipaddr.process(header);
  if (address.kind() === "ipv4") return address.toString();
  const prefix = (address as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${prefix.join(":")}::/64`;
}
