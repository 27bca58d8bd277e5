import http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import type { MikroORM } from '@mikro-orm/postgresql';
import cors from 'cors';
import express from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { getSubgraphSchema } from '../graphql/subgraph';
import type { Config } from '../config';
import { type AlternatePlan, compiledExecutor } from '../graphql/executor';
import { readsEveryField } from '../security/authorization';
import { getReaderSchema, getSchema } from '../graphql/schema';
import { logger, requestLineLogger } from '../shared/logger';
import { observeGateway } from '../observability/metrics';
import { requestIdOf } from '../observability/request-id';
import { tracingEnabled } from '../observability/tracing';
import { logRequest, reportOnResponse, requestLogger, requestObservationPlugin } from '../observability/requests';
import { createRequestContext, type RequestContext } from './context';
import type { Composition } from './gateway-module';
import { Health } from './health';
import { type LiveLimits, serveLiveUpdates } from './live-socket';
import { type AuthConfig, createAuthenticator } from '../security/tokens';
import { createErrorFormatter, errorReportingPlugin } from './errors';
import { explorerRouter } from './explorer';
import { BODY_LIMIT_BYTES, bareGraphQLPath, bodyErrorOf, sendBodyError } from './graphql-http';
import { type QueryLimits, queryLimits } from './limits';

export interface Gateway {
  app: express.Express;
  httpServer: http.Server;
  apollo: ApolloServer<RequestContext>;
  /** The federation subgraph's server, when served. */
  subgraph?: ApolloServer<RequestContext>;
  /** Drains and stops everything: sockets, HTTP, the subgraph endpoint. */
  stop(): Promise<void>;
}

export interface ApolloOptions {
  /** The modules served (src/modules/index.ts `GATEWAY`). */
  gateway: Composition;
  isProduction: boolean;
  /** Introspection and Sandbox; off in production unless enabled for an internal deployment. */
  introspection: boolean;
  /** How long in-flight requests may take to finish when the server stops. */
  drainGraceMs?: number;
  /** Another schema than the gateway's own (the federation subgraph). */
  schema?: GraphQLSchema;
  /** The document limits, when the caller applies the same ones elsewhere (the WebSocket server). */
  limits?: QueryLimits;
  /**
   * Every operation needs a signed-in actor, including those no field rule covers (the subgraph's
   * `_service { sdl }`, which would otherwise hand the whole schema to anyone).
   */
  requireSignIn?: boolean;
}

/** Subscriptions are served over WebSocket only; over HTTP one is a client error naming the endpoint. */
const subscriptionsOverSocketOnly: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation }) {
        if (operation?.operation !== 'subscription') return;
        throw new GraphQLError(
          'subscriptions are served over WebSocket (graphql-ws protocol) at ws://<host>/graphql, not over HTTP',
          { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
        );
      },
    };
  },
};

const signInRequired: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue }) {
        if (contextValue.actor.authenticated) return;
        throw new GraphQLError('sign in first: send "Authorization: Bearer <token>"', {
          extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
        });
      },
    };
  },
};

export async function createApollo(
  options: ApolloOptions,
  httpServer?: http.Server,
  /** Run when the server drains, before it stops (closing the WebSocket server). */
  onDrain?: () => Promise<void>,
): Promise<ApolloServer<RequestContext>> {
  options.gateway.registerEventHandlers();
  const limits = options.limits ?? queryLimits(options);
  const schema = options.schema ?? (await getSchema(options.gateway.modules));
  // The gateway's own schema has a twin for actors that read every field: their operations run
  // without a role check on each field of each object (`getReaderSchema`).
  const forReaders: AlternatePlan | undefined = options.schema
    ? undefined
    : {
        schema: await getReaderSchema(options.gateway.modules),
        appliesTo: (context) => readsEveryField((context as RequestContext).actor),
      };
  const apollo = new ApolloServer<RequestContext>({
    // Compiled execution, except when tracing: OpenTelemetry's resolver spans hook graphql-js's own.
    ...(tracingEnabled() ? { schema } : { gateway: compiledExecutor(schema, forReaders) }),
    introspection: options.introspection,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // No response cache, so automatic persisted queries buy nothing; off, a persisted-query request is
    // a clear PERSISTED_QUERY_NOT_SUPPORTED instead of a hash to check.
    persistedQueries: false,
    // Compact JSON: Apollo's default pretty-prints every response, a third more bytes to build and send.
    stringifyResult: (result) => JSON.stringify(result),
    csrfPrevention: true,
    // The process owns its shutdown (main.ts): drain, then jobs, then the database, in that order.
    stopOnTerminationSignals: false,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    formatError: createErrorFormatter({ maskInternalErrors: options.isProduction }),
    plugins: [
      ...(options.requireSignIn ? [signInRequired] : []),
      subscriptionsOverSocketOnly,
      ...limits.plugins,
      requestObservationPlugin(),
      errorReportingPlugin(logger),
      // No cache hints are used; the default plugin wraps every field to collect them (≈20% of a deep page).
      ApolloServerPluginCacheControlDisabled(),
      // Apollo's per-field federated traces (ftv1) for subgraphs: tracing is OpenTelemetry's job here.
      ApolloServerPluginInlineTraceDisabled(),
      // Sockets first: an upgraded connection would otherwise hold the HTTP drain until its grace ends.
      ...(onDrain ? [{ serverWillStart: async () => ({ drainServer: onDrain }) }] : []),
      ...(httpServer
        ? [ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: options.drainGraceMs })]
        : []),
      ...(options.introspection ? [] : [ApolloServerPluginLandingPageDisabled()]),
    ],
  });
  await apollo.start();
  return apollo;
}

/**
 * Express 5 with Apollo Server 5 at /graphql, one log line per request, liveness at /healthz and
 * readiness at /readyz.
 */
export async function createGateway(
  orm: MikroORM,
  config: Pick<Config, 'isProduction' | 'introspection'> & {
    gateway: Composition;
    /** Browser origins allowed to call the API; none when absent. */
    corsOrigins?: Config['corsOrigins'];
    /** What GET /graphql shows a browser: Apollo Sandbox (from Apollo's CDN) or the bundled GraphiQL. */
    explorer?: Config['explorer'];
    auth: AuthConfig;
    /** Also serve the schema as a Federation 2 subgraph at /subgraph. */
    subgraph?: boolean;
    drainGraceMs?: number;
    liveLimits?: Partial<LiveLimits>;
  },
  health: Health = Health.alwaysServing(orm),
): Promise<Gateway> {
  const app = express();
  app.disable('x-powered-by');
  // Its request listener is added once Apollo has started (below); it listens only after this returns.
  const httpServer = http.createServer();
  const authenticate = createAuthenticator(config.auth);
  const hub = config.gateway.createLiveFeed(config.liveLimits?.maxQueuedEvents);
  await hub.start(orm.config.get('clientUrl')!);
  const limits = queryLimits(config);
  const live = serveLiveUpdates({
    httpServer,
    schema: await getSchema(config.gateway.modules),
    modules: config.gateway.modules,
    orm,
    authenticate,
    hub,
    validationRules: limits.validationRules,
    maxTokens: limits.parseOptions.maxTokens,
    isProduction: config.isProduction,
    limits: config.liveLimits,
  });
  const apollo = await createApollo({ ...config, limits }, httpServer, async () => {
    await live.dispose();
    await hub.stop();
  });
  observeGateway(orm);

  app.use(requestLogger(requestLineLogger));
  // Alive as long as the process answers; restarting it would not help with anything else.
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    const readiness = await health.readiness();
    res.status(readiness.ready ? 200 : 503).json({ status: readiness.status, checks: readiness.checks });
  });
  const context = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const context = createRequestContext(orm, config.gateway.modules, {
      requestId: requestIdOf(req),
      actor: await authenticate(req.headers.authorization),
    });
    reportOnResponse(res, context.report);
    return context;
  };
  const bare = bareGraphQLPath(apollo, context, (req, res) => logRequest(requestLineLogger, req, res));
  httpServer.on('request', (req, res) => {
    if (!bare(req, res)) void app(req, res);
  });
  // Browser consoles on other origins: their preflight is answered here; Apollo's CSRF prevention
  // still refuses simple (non-preflighted) requests.
  const crossOrigin = cors({
    origin: config.corsOrigins ?? [],
    methods: ['GET', 'POST'],
    allowedHeaders: [
      'authorization',
      'content-type',
      'apollo-require-preflight',
      'x-apollo-operation-name',
      'x-request-id',
    ],
    exposedHeaders: ['x-request-id'],
    maxAge: 600,
  });
  const serve = (path: string, server: ApolloServer<RequestContext>) =>
    app.use(
      path,
      crossOrigin,
      express.json({ limit: BODY_LIMIT_BYTES }),
      expressMiddleware(server, { context: ({ req, res }) => context(req, res) }),
    );
  // GraphiQL from npm at /explorer, and instead of Sandbox at GET /graphql when EXPLORER=graphiql.
  if (config.introspection) {
    app.use(explorerRouter());
    if (config.explorer === 'graphiql')
      app.get('/graphql', (req, res, next) =>
        req.accepts('html') && !req.query.query ? res.redirect('/explorer') : next(),
      );
  }
  serve('/graphql', apollo);
  // For a federation router; the router forwards the client's Authorization header, and the same
  // authorization and tenant rules apply to what it asks for.
  const subgraph = config.subgraph
    ? await createApollo({
        ...config,
        limits,
        schema: await getSubgraphSchema(config.gateway.modules),
        requireSignIn: true,
      })
    : undefined;
  if (subgraph) serve('/subgraph', subgraph);
  // A body that is no JSON, too large or in another charset: a JSON error, never Express's HTML page.
  app.use(
    (
      error: { status?: number; type?: string },
      _req: express.Request,
      res: express.Response,
      next: express.NextFunction,
    ) => {
      if (res.headersSent) return next(error);
      if (error.status && error.status >= 400 && error.status < 500) {
        const { status, message } = bodyErrorOf(error);
        return sendBodyError(res, status, message);
      }
      logger.error({ err: error }, 'request failed');
      sendBodyError(res, 500, 'the request failed');
    },
  );
  return {
    app,
    httpServer,
    apollo,
    subgraph,
    async stop() {
      await subgraph?.stop();
      await apollo.stop();
    },
  };
}
