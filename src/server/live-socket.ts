import type http from 'node:http';
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  type GraphQLFormattedError,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type ValidationRule,
} from 'graphql';
import type { Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import { liveSockets, liveSocketsRefused } from '../observability/metrics';
import type { Actor } from '../security/actor';
import type { createAuthenticator } from '../security/tokens';
import { logger } from '../shared/logger';
import { createRequestContext, type RequestContext } from './context';
import type { GatewayModule, LiveFeed } from './gateway-module';
import { createErrorFormatter } from './errors';

export interface LiveLimits {
  /** Largest message a client may send (connection_init, subscribe). */
  maxMessageBytes: number;
  /** Open sockets per signed-in subject, on this replica. */
  socketsPerActor: number;
  subscriptionsPerSocket: number;
  /** A socket without a subscription for this long is closed. */
  idleMs: number;
  /** connection_init must arrive within this time. */
  initTimeoutMs: number;
  /** Ping interval; a peer that misses a pong is dropped. */
  heartbeatMs: number;
  /** Events a subscriber may fall behind before it is dropped with SLOW_CONSUMER (the feed's default when absent). */
  maxQueuedEvents?: number;
}

export const LIVE_LIMITS: LiveLimits = {
  maxMessageBytes: 16 * 1024,
  socketsPerActor: 5,
  subscriptionsPerSocket: 10,
  idleMs: 5 * 60_000,
  initTimeoutMs: 5_000,
  heartbeatMs: 30_000,
};

/** Close codes besides graphql-ws's own (4400 bad request, 4403 forbidden, 4408 init timeout, ...). */
export const CLOSE = { tokenExpired: 4401, tooManySockets: 4290, idle: 4080 } as const;

export interface LiveContext extends RequestContext {
  live: LiveFeed;
}

type SocketExtra = {
  socket: WebSocket;
  request: http.IncomingMessage;
  actor?: Extract<Actor, { authenticated: true }>;
  expiry?: NodeJS.Timeout;
  idleSince?: number;
};

type Authenticator = ReturnType<typeof createAuthenticator>;

const authorizationOf = (params: Readonly<Record<string, unknown>> | undefined): string | undefined => {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === 'string' ? value : undefined;
};

/**
 * Subscriptions over the GraphQL-over-WebSocket protocol (graphql-ws) on the API's own port and path.
 * The token travels in `connection_init` and is checked there; the socket closes when it expires.
 * Only subscriptions are served here (queries and mutations go over HTTP, through the limits and
 * logs there), with the same authorization and tenant rules.
 */
export function serveLiveUpdates(options: {
  httpServer: http.Server;
  schema: GraphQLSchema;
  /** The modules whose loaders a subscription's request context offers. */
  modules: readonly GatewayModule[];
  orm: MikroORM;
  authenticate: Authenticator;
  hub: LiveFeed;
  validationRules: readonly ValidationRule[];
  maxTokens: number;
  isProduction: boolean;
  limits?: Partial<LiveLimits>;
}): { dispose(): Promise<void> } {
  const limits = { ...LIVE_LIMITS, ...options.limits };
  const format = createErrorFormatter({ maskInternalErrors: options.isProduction });
  const formatAll = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
    errors.map((error) => format(error.toJSON(), error));
  const wss = new WebSocketServer({ server: options.httpServer, path: '/graphql', maxPayload: limits.maxMessageBytes });
  const socketsOf = new Map<string, number>();
  const open = new Map<WebSocket, Context<Record<string, unknown>, SocketExtra>>();
  const close = (socket: WebSocket, code: number, reason: string, metric: string) => {
    liveSocketsRefused.inc({ reason: metric });
    socket.close(code, reason);
  };

  const server = useServer<Record<string, unknown>, SocketExtra>(
    {
      connectionInitWaitTimeout: limits.initTimeoutMs,
      onConnect: async (ctx) => {
        const { socket } = ctx.extra;
        let session: Awaited<ReturnType<Authenticator['verify']>>;
        try {
          session = await options.authenticate.verify(authorizationOf(ctx.connectionParams));
        } catch {
          liveSocketsRefused.inc({ reason: 'unauthenticated' });
          return false;
        }
        if (!session.actor.authenticated) {
          liveSocketsRefused.inc({ reason: 'unauthenticated' });
          return false;
        }
        const key = `${session.actor.role}:${session.actor.subject}`;
        const count = socketsOf.get(key) ?? 0;
        if (count >= limits.socketsPerActor) {
          close(socket, CLOSE.tooManySockets, `at most ${limits.socketsPerActor} connections per user`, 'too_many');
          return false;
        }
        socketsOf.set(key, count + 1);
        ctx.extra.actor = session.actor;
        ctx.extra.idleSince = Date.now();
        // At the token's expiry itself: the clock tolerance only lets a just-expired token in.
        const remaining = session.expiresAtMs - Date.now();
        ctx.extra.expiry = setTimeout(
          () => close(socket, CLOSE.tokenExpired, 'token expired: connect again with a new one', 'expired'),
          Math.max(0, Math.min(remaining, 2 ** 31 - 1)),
        );
        open.set(socket, ctx);
        liveSockets.set(open.size);
        return true;
      },
      onSubscribe: (ctx, _id, payload) => {
        if (Object.keys(ctx.subscriptions).length >= limits.subscriptionsPerSocket)
          return [
            new GraphQLError(`at most ${limits.subscriptionsPerSocket} subscriptions per connection`, {
              extensions: { code: 'BAD_REQUEST' },
            }),
          ];
        let document;
        try {
          document = parse(payload.query, { maxTokens: options.maxTokens });
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('the document does not parse')];
        }
        const errors = validate(options.schema, document, [...specifiedRules, ...options.validationRules]);
        if (errors.length) return errors;
        if (getOperationAST(document, payload.operationName)?.operation !== 'subscription')
          return [
            new GraphQLError('only subscriptions are served over WebSocket: send queries and mutations over HTTP', {
              extensions: { code: 'BAD_REQUEST' },
            }),
          ];
        // Assigned, not spread: the context's members live on its prototype.
        const contextValue: LiveContext = Object.assign(
          createRequestContext(options.orm, options.modules, { actor: ctx.extra.actor }),
          { live: options.hub },
        );
        return {
          schema: options.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
        };
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: formatAll(result.errors) } : result,
      // Errors before execution (parse, validation, limits) are the client's.
      onError: (_ctx, _id, _payload, errors) =>
        formatAll(
          errors.map((error) =>
            error.extensions?.code
              ? error
              : new GraphQLError(error.message, {
                  nodes: error.nodes,
                  extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
                }),
          ),
        ),
      onClose: (ctx) => {
        clearTimeout(ctx.extra.expiry);
        if (!open.delete(ctx.extra.socket)) return;
        liveSockets.set(open.size);
        const actor = ctx.extra.actor!;
        const key = `${actor.role}:${actor.subject}`;
        const left = (socketsOf.get(key) ?? 1) - 1;
        if (left > 0) socketsOf.set(key, left);
        else socketsOf.delete(key);
      },
    },
    wss,
  );

  // Heartbeat and idle sweep: a peer that stopped answering pings is dropped; a socket that has had
  // no subscription for `idleMs` is closed.
  const alive = new WeakSet<WebSocket>();
  wss.on('connection', (socket) => {
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
    // A client's protocol error (an oversized frame, say) is the client's: ws has already closed the
    // socket with its code; log it as one JSON line rather than graphql-ws's console.error.
    socket.removeAllListeners('error');
    socket.on('error', (error) => logger.warn({ err: error.message }, 'live socket closed on a client error'));
  });
  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const socket of wss.clients) {
        if (!alive.has(socket)) {
          socket.terminate();
          continue;
        }
        alive.delete(socket);
        socket.ping();
        const ctx = open.get(socket);
        if (!ctx) continue;
        if (Object.keys(ctx.subscriptions).length) ctx.extra.idleSince = now;
        else if (now - (ctx.extra.idleSince ?? now) >= limits.idleMs)
          close(socket, CLOSE.idle, 'no subscription for too long', 'idle');
      }
    },
    Math.min(limits.heartbeatMs, limits.idleMs),
  );
  sweep.unref();

  return {
    async dispose() {
      clearInterval(sweep);
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      logger.debug('live updates stopped');
    },
  };
}
