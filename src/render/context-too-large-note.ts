/** The check run's note when the head archive was over the compressed cap: the model reviewed the diff alone. */
export function contextTooLargeNote(maxBytes: number): string {
  return (
    `Repository context too large: the head commit's archive is over ${formatMegabytes(maxBytes)} compressed ` +
    '(BULWARK_SNAPSHOT_MAX_COMPRESSED_BYTES), so it was not downloaded in full; the model was told, and the review went on from the diff without Read, Grep or Glob.'
  );
}

function formatMegabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1 ? `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB` : `${bytes} bytes`;
}
