/** GitHub accepts at most 50 annotations per create or update call of a check run. */
export const ANNOTATIONS_PER_REQUEST = 50;

/**
 * Annotations in requests of at most `size`: GitHub accepts 50 per create or update call and appends the
 * annotations of each further update (https://docs.github.com/en/rest/checks/runs#update-a-check-run).
 * No annotations give no batches.
 */
export function batchAnnotations<T>(annotations: readonly T[], size = ANNOTATIONS_PER_REQUEST): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`Batch size must be a positive integer, got ${size}`);
  const batches: T[][] = [];
  for (let start = 0; start < annotations.length; start += size) batches.push(annotations.slice(start, start + size));
  return batches;
}
