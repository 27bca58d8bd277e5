import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import type { MikroORM } from '@mikro-orm/postgresql';
import express from 'express';
import type { Config } from '../config';
import { getSchema } from '../graphql/schema';
import { registerEventHandlers } from '../modules/event-handlers';
import { logger } from '../shared/logger';
import { createRequestContext, type RequestContext } from './context';
import { type AuthConfig, createAuthenticator } from '../security/tokens';
import { createErrorFormatter, errorReportingPlugin } from './errors';
import { queryLimits } from './limits';

export interface Gateway {
  app: express.Express;
  httpServer: http.Server;
  apollo: ApolloServer<RequestContext>;
}

export interface ApolloOptions {
  isProduction: boolean;
  /** Introspection and Sandbox; off in production unless enabled for an internal deployment. */
  introspection: boolean;
}

export async function createApollo(
  options: ApolloOptions,
  httpServer?: http.Server,
): Promise<ApolloServer<RequestContext>> {
  registerEventHandlers();
  const limits = queryLimits(options);
  const apollo = new ApolloServer<RequestContext>({
    schema: await getSchema(),
    introspection: options.introspection,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // No response cache, so automatic persisted queries buy nothing; off, a persisted-query request is
    // a clear PERSISTED_QUERY_NOT_SUPPORTED instead of a hash to check.
    persistedQueries: false,
    csrfPrevention: true,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    formatError: createErrorFormatter({ maskInternalErrors: options.isProduction }),
    plugins: [
      ...limits.plugins,
      errorReportingPlugin(logger),
      // No cache hints are used; the default plugin wraps every field to collect them (≈20% of a deep page).
      ApolloServerPluginCacheControlDisabled(),
      ...(httpServer ? [ApolloServerPluginDrainHttpServer({ httpServer })] : []),
      ...(options.introspection ? [] : [ApolloServerPluginLandingPageDisabled()]),
    ],
  });
  await apollo.start();
  return apollo;
}

/** Express 5 with Apollo Server 5 at /graphql and a health check at /healthz. */
export async function createGateway(
  orm: MikroORM,
  config: Pick<Config, 'isProduction' | 'introspection'> & { auth: AuthConfig },
): Promise<Gateway> {
  const app = express();
  const httpServer = http.createServer(app);
  const apollo = await createApollo(config, httpServer);
  const authenticate = createAuthenticator(config.auth);

  app.get('/healthz', async (_req, res) => {
    try {
      await orm.em.fork().getConnection().execute('select 1');
      res.json({ status: 'ok' });
    } catch (error) {
      logger.error({ err: error }, 'health check failed');
      res.status(503).json({ status: 'unavailable' });
    }
  });
  app.use(
    '/graphql',
    express.json({ limit: '2mb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = requestIdOf(req.header('x-request-id'));
        res.setHeader('x-request-id', requestId);
        return createRequestContext(orm, { requestId, actor: await authenticate(req.header('authorization')) });
      },
    }),
  );
  return { app, httpServer, apollo };
}

/** A caller's request id is kept when it looks like one (for tracing across services), else a new one. */
function requestIdOf(header: string | undefined): string {
  return header && /^[\w.-]{1,100}$/.test(header) ? header : randomUUID();
}
