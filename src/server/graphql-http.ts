import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApolloServer, HeaderMap } from '@apollo/server';
import type { RequestContext } from './context';

/** The largest request body accepted, on either path. */
export const BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/**
 * A body that is no JSON object, too large or of another type, as a GraphQL error response (instead
 * of Express's HTML page, which outside production carries a stack trace).
 */
export function sendBodyError(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

/** What body-parser's error becomes: its status and a message without internals. */
export function bodyErrorOf(error: { status?: number; type?: string }): { status: number; message: string } {
  switch (error.type) {
    case 'entity.too.large':
      return { status: 413, message: `the request body is larger than ${BODY_LIMIT_BYTES} bytes` };
    case 'entity.parse.failed':
      return { status: 400, message: 'the request body is not a JSON object' };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, message: 'send the body as JSON in UTF-8' };
    default:
      return {
        status: error.status && error.status < 500 ? error.status : 400,
        message: 'the request body could not be read',
      };
  }
}

/** Whether the bare path takes this request: a plain JSON POST to /graphql from a non-browser client. */
function isPlainGraphQLPost(req: IncomingMessage): boolean {
  if (req.method !== 'POST' || req.url !== '/graphql') return false;
  const { headers } = req;
  // Browsers (an Origin header) get Express's CORS answer; compressed or unsized bodies its parser.
  if (headers.origin !== undefined || headers['content-encoding'] !== undefined) return false;
  const type = headers['content-type']?.toLowerCase().replace(/\s+/g, '');
  if (type !== 'application/json' && type !== 'application/json;charset=utf-8') return false;
  const length = Number(headers['content-length']);
  return Number.isInteger(length) && length >= 0 && length <= BODY_LIMIT_BYTES;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/**
 * POST /graphql with a plain JSON body — what consoles and the platform send — handed to Apollo Server
 * without Express's router, body parser and CORS middleware, a fifth of a small request's fixed cost.
 * Returns false for every other request, which Express then serves as before (GET and the explorer,
 * preflights and browsers, compressed, chunked or oversized bodies, other paths).
 */
export function bareGraphQLPath(
  apollo: ApolloServer<RequestContext>,
  context: (req: IncomingMessage, res: ServerResponse) => Promise<RequestContext>,
  logRequest: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (!isPlainGraphQLPost(req)) return false;
    logRequest(req, res);
    void serve(apollo, context, req, res).catch((error: unknown) => {
      // Apollo answers its own failures; this is a socket gone or a bug here: never a stack trace out.
      if (!res.headersSent) sendBodyError(res, 500, 'the request failed');
      else res.destroy(error as Error);
    });
    return true;
  };
}

async function serve(
  apollo: ApolloServer<RequestContext>,
  context: (req: IncomingMessage, res: ServerResponse) => Promise<RequestContext>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let body: unknown;
  try {
    body = await readJson(req);
  } catch {
    return sendBodyError(res, 400, 'the request body is not a JSON object');
  }
  // body-parser's strict mode, as on the Express path: an object or an array (a batch, refused by Apollo).
  if (body === null || typeof body !== 'object')
    return sendBodyError(res, 400, 'the request body is not a JSON object');
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'POST', headers, search: '', body },
    context: () => context(req, res),
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.setHeader('content-length', Buffer.byteLength(response.body.string));
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}
