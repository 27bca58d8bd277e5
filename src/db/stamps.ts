let lastStamp = 0;

/**
 * A recording time strictly after the previous one this process handed out: two rows written in the
 * same millisecond (a case requested and taken under review at once) keep their order in history.
 */
export function nextStamp(): Date {
  lastStamp = Math.max(Date.now(), lastStamp + 1);
  return new Date(lastStamp);
}
