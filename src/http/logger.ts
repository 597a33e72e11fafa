import type { FastifyServerOptions } from 'fastify';

/**
 * Request headers that carry a credential. Fastify's own request serializer logs no headers, but plugins do (at
 * trace level @fastify/multipart logs the options it hands busboy, request headers included), so every path a
 * header object can take in a log line is redacted, not only `req.headers`.
 */
export const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-auth-token', 'x-csrf-token'] as const;

/** Body and object fields that hold a secret, wherever a plugin or an error puts them in a log line. */
const SECRET_FIELDS = ['password', 'token', 'code', 'accessToken', 'refreshToken'] as const;

const prop = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `["${name}"]`);

export function redactPaths(): string[] {
  const paths: string[] = [];
  // fast-redact's `*` stands for exactly one key, so each depth at which a headers object has been seen is listed.
  for (const prefix of ['', '*.', '*.*.', '*.*.*.']) {
    for (const h of SECRET_HEADERS) paths.push(`${prefix}headers${prop(h)}`);
  }
  for (const prefix of ['body', '*.body', 'params', '*.params']) for (const f of SECRET_FIELDS) paths.push(`${prefix}${prop(f)}`);
  return paths;
}

/** A share link's path carries its secret (`/s/<token>`): logged without it. */
export const redactUrl = (url: string): string => url.replace(/^\/s\/[^/?#]+/, '/s/[redacted]');

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** The server's logger options: the level from the config, secrets redacted at every level. */
export function loggerOptions(level: string, stream?: NodeJS.WritableStream): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    redact: { paths: redactPaths(), censor: '[redacted]' },
    // Fastify's own request fields, with secret-bearing paths cut.
    serializers: { req: (r: LoggedRequest) => ({ method: r.method, url: redactUrl(r.url), host: r.host, remoteAddress: r.ip, remotePort: r.socket?.remotePort }) },
    ...(stream ? { stream } : {}),
  };
}
