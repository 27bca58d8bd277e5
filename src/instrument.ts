import { startTracing } from './observability/tracing';

/** Imported first by the entry point, so the instrumentations patch http, express, graphql and pg as they load. */
export const tracing = startTracing();
