import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Database errors carry the values of the statement's parameters: drizzle puts them in `params` and
 * in the message ("Failed query: …\nparams: …"), PostgreSQL in `detail` ("Key (phone)=(138…)") and
 * sometimes at the end of the message (`invalid input syntax for type uuid: "…"`). A log keeps the
 * statement, the number of parameters and the SQLSTATE, never the values: they are residents' data.
 */
export function scrubError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error) || depth > 4) return err;
  const plain = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const code = (err as { code?: unknown }).code;
  const isPostgresError = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
  for (const [key, value] of Object.entries(plain)) {
    if (key === 'params') out.paramCount = Array.isArray(value) ? value.length : null;
    else if (key === 'detail' || key === 'where' || key === 'parameters') continue;
    else if (key === 'message' || key === 'stack') out[key] = scrubText(String(value), isPostgresError);
    else if (key === 'cause') out.cause = scrubError((err as { cause?: unknown }).cause, depth + 1);
    else out[key] = value;
  }
  return out;
}

function scrubText(text: string, isPostgresError: boolean): string {
  let scrubbed = text.replace(/^params: .*$/gm, 'params: [not logged]');
  if (isPostgresError) scrubbed = scrubbed.replace(/: "[^"\n]*"$/gm, ': "[not logged]"');
  return scrubbed;
}

/**
 * JSON logs on stdout. Anything that could carry a credential is redacted at the source,
 * so a careless `log.info({ headers })` cannot leak a token; errors go through scrubError.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'cityloop-bff' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: scrubError, error: (e: unknown) => (typeof e === 'string' ? scrubText(e, false) : scrubError(e)) },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', '*.password', '*.token', '*.session_key', '*.sessionKey', '*.openid', '*.secret', '*.code'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
