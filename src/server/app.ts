import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { MikroORM } from '@mikro-orm/postgresql';
import express from 'express';
import type { Config } from '../config';
import { getSchema } from '../graphql/schema';
import { logger } from '../shared/logger';
import { createRequestContext, type RequestContext } from './context';
import { createErrorFormatter } from './errors';

export interface Gateway {
  app: express.Express;
  httpServer: http.Server;
  apollo: ApolloServer<RequestContext>;
}

export async function createApollo(
  options: { isProduction: boolean },
  httpServer?: http.Server,
): Promise<ApolloServer<RequestContext>> {
  const apollo = new ApolloServer<RequestContext>({
    schema: await getSchema(),
    introspection: !options.isProduction,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter({ maskInternalErrors: options.isProduction, logger }),
    plugins: [
      ...(httpServer ? [ApolloServerPluginDrainHttpServer({ httpServer })] : []),
      // Outside production Apollo serves Sandbox on GET /graphql; in production nothing.
      ...(options.isProduction ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
  });
  await apollo.start();
  return apollo;
}

/** Express 5 with Apollo Server 5 at /graphql and a health check at /healthz. */
export async function createGateway(orm: MikroORM, config: Pick<Config, 'isProduction'>): Promise<Gateway> {
  const app = express();
  const httpServer = http.createServer(app);
  const apollo = await createApollo(config, httpServer);

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
      context: async ({ req }) => createRequestContext(orm, { requestId: req.header('x-request-id') ?? randomUUID() }),
    }),
  );
  return { app, httpServer, apollo };
}
