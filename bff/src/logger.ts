import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs on stdout. Anything that could carry a credential is redacted at the source,
 * so a careless `log.info({ headers })` cannot leak a token.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'cityloop-bff' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          '*.password',
          '*.token',
          '*.session_key',
          '*.sessionKey',
          '*.secret',
          '*.code',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
