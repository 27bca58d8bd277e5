import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express from 'express';

const requireHere = createRequire(__filename);
/** A file of an installed package, past its `exports` map (which does not list the browser builds). */
const packageFile = (name: string, file: string) => join(dirname(requireHere.resolve(`${name}/package.json`)), file);

/** The explorer's files, from their npm packages: nothing is fetched from a CDN. */
const ASSETS: Record<string, { file: string; type: string }> = {
  'react.js': { file: packageFile('react', 'umd/react.production.min.js'), type: 'text/javascript' },
  'react-dom.js': { file: packageFile('react-dom', 'umd/react-dom.production.min.js'), type: 'text/javascript' },
  'graphiql.js': { file: packageFile('graphiql', 'graphiql.min.js'), type: 'text/javascript' },
  'graphiql.css': { file: packageFile('graphiql', 'graphiql.min.css'), type: 'text/css' },
};

const START = `
const fetcher = GraphiQL.createFetcher({ url: new URL('/graphql', location.href).href });
const defaultQuery = '# Put your token in Headers below: { "Authorization": "Bearer <token>" } (npm run token)\\n' +
  '{ merchants(first: 5) { totalCount edges { node { id name tier } } } }\\n';
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultQuery,
    defaultHeaders: '{\\n  "Authorization": "Bearer <token>"\\n}',
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
    defaultEditorToolsVisibility: 'headers',
  }),
);
`;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Weiquan explorer</title>
    <link rel="stylesheet" href="explorer/graphiql.css" />
    <style>body { margin: 0; } #graphiql { height: 100vh; }</style>
  </head>
  <body>
    <div id="graphiql">Loading the explorer…</div>
    <script src="explorer/react.js"></script>
    <script src="explorer/react-dom.js"></script>
    <script src="explorer/graphiql.js"></script>
    <script src="explorer/start.js"></script>
  </body>
</html>
`;

/**
 * GraphiQL served by the gateway itself at /explorer, with a headers editor for the token: an
 * explorer for staff tools where Apollo Sandbox's CDN cannot be reached (a closed network, many
 * corporate and mainland networks). Only where introspection is on, like Sandbox.
 */
export function explorerRouter(): express.Router {
  const router = express.Router();
  const page = (_req: express.Request, res: express.Response) =>
    void res.type('html').set('cache-control', 'no-store').send(PAGE.replaceAll('explorer/', '/explorer/'));
  router.get('/explorer', page);
  router.get('/explorer/start.js', (_req, res) => void res.type('text/javascript').send(START));
  router.get('/explorer/:asset', (req, res, next) => {
    const asset = ASSETS[req.params.asset];
    if (!asset) return next();
    res.type(asset.type).set('cache-control', 'public, max-age=86400').sendFile(asset.file);
  });
  return router;
}
