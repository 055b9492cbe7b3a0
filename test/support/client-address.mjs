/**
 * A made-up client address for `CF-Connecting-IP`, which wrangler dev keeps when a client
 * sends it (Cloudflare always sets it). The services limit sign-ups and sign-ins per client,
 * so a test or benchmark that makes many accounts presents each as its own visitor, as
 * they would be; tests of the limits name their clients themselves.
 */
export function newClientAddress() {
  const octet = () => Math.floor(Math.random() * 256);
  return `10.${octet()}.${octet()}.${octet()}`;
}
