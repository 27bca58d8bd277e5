import pino from 'pino';

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
  // Asynchronous writes: a line per request does not block the request on stdout (≈10% of a small
  // query's CPU when synchronous); pino flushes what is pending when the process exits.
  pino.destination({ sync: false }),
);

export type Logger = typeof logger;
