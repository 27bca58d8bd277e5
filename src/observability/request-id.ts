import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const ids = new WeakMap<IncomingMessage, string>();

/**
 * The request's id, the same for the trace's root span, the log line, the response header and the
 * masked errors: a caller's `x-request-id` is kept when it looks like one (to follow a request across
 * services), else a new one.
 */
export function requestIdOf(req: IncomingMessage): string {
  let id = ids.get(req);
  if (!id) {
    const header = req.headers['x-request-id'];
    id = typeof header === 'string' && /^[\w.-]{1,100}$/.test(header) ? header : randomUUID();
    ids.set(req, id);
  }
  return id;
}
