import pino from 'pino';

/**
 * Asynchronous, batched writes: lines gather up to 8 KiB before one write, instead of a write per
 * line (a write per request cost 15-20% of a small query's CPU); pino flushes what is pending when
 * the process exits.
 */
const destination = pino.destination({ sync: false, minLength: 8 * 1024 });

export const logger = pino(
  {
    level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
    base: undefined,
    // Nothing logs headers or secrets on purpose; should an object carry one anyway, it is censored.
    redact: {
      paths: [
        'authorization',
        'headers.authorization',
        'req.headers.authorization',
        'req.headers.cookie',
        '*.authorization',
        'token',
        '*.token',
        'password',
        '*.password',
        'secret',
        '*.secret',
        'jwtSecret',
        '*.jwtSecret',
      ],
      censor: '[redacted]',
    },
  },
  destination,
);

// What is buffered reaches stdout within a second however quiet the server is.
setInterval(() => destination.flush(), 1_000).unref();

export type Logger = typeof logger;
