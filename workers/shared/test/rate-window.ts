/**
 * Local Rate Limiting bindings count in windows aligned to the wall clock (a 60-second
 * period's window starts on each minute), so a burst that straddles a boundary is counted in
 * two windows and its last request passes. A test that expects the limit to refuse a burst
 * first waits, when the current window has less than `needSeconds` left, for the next one to
 * begin. Free of Node imports so tests in workerd can use it.
 */
export async function inOneRateWindow(periodSeconds = 60, needSeconds = 20): Promise<void> {
  const period = periodSeconds * 1000;
  const left = period - (Date.now() % period);
  if (left >= needSeconds * 1000) return;
  // Just past the boundary, so the clock of whoever counts is in the new window too.
  await new Promise((resolve) => setTimeout(resolve, left + 250));
}
