/** Ids one `in (…)` binds at most: D1 binds at most 100 parameters per statement. */
export const IDS_PER_SELECT = 90;

export const chunk = <T>(items: readonly T[], size: number) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
