import type { FastifyServerOptions } from 'fastify';

/**
 * Request headers that carry a credential. Fastify's own request serializer logs no headers, but plugins do (at
 * trace level @fastify/multipart logs the options it hands busboy, request headers included), so every path a
 * header object can take in a log line is redacted, not only `req.headers`.
 */
export const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-auth-token', 'x-csrf-token'] as const;

/** Body and object fields that hold a secret, wherever a plugin or an error puts them in a log line. */
const SECRET_FIELDS = ['password', 'token', 'code', 'accessToken', 'refreshToken', 'pre-authorized_code', 'tx_code', 'exchangeId'] as const;

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

/** The server's logger options: the level from the config, secrets redacted at every level. */
export function loggerOptions(level: string, stream?: NodeJS.WritableStream): NonNullable<FastifyServerOptions['logger']> {
  return { level, redact: { paths: redactPaths(), censor: '[redacted]' }, serializers: { req: requestSerializer }, ...(stream ? { stream } : {}) };
}

/**
 * A share link (`/s/<token>`, src/me), a wallet offer's URI and a VC API exchange's URL (src/wallets/offers.ts) are
 * bearer handles: the request line of the log keeps the route and drops the handle.
 */
const HANDLE_IN_PATH = /^(\/s\/|\/oid4vci\/offers\/|\/workflows\/[^/]+\/exchanges\/)[^/?#]+/;
const redactUrl = (url: string): string => url.replace(HANDLE_IN_PATH, '$1[redacted]');

function requestSerializer(request: { method: string; url: string; hostname?: string; ip?: string; socket?: { remotePort?: number } }) {
  return { method: request.method, url: redactUrl(request.url), host: request.hostname, remoteAddress: request.ip, remotePort: request.socket?.remotePort };
}
