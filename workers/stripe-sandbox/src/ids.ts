const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

function random(length: number) {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
}

/** Ids in Stripe's test-mode shapes: `cs_test_…`, `pi_…`, `re_…`, `evt_…`. */
export const newId = {
  session: () => `cs_test_${random(58)}`,
  clientSecret: (sessionId: string) => `${sessionId}_secret_${random(24)}`,
  paymentIntent: () => `pi_${random(24)}`,
  charge: () => `ch_${random(24)}`,
  refund: () => `re_${random(24)}`,
  event: () => `evt_${random(24)}`,
};

export const nowSeconds = () => Math.floor(Date.now() / 1000);
