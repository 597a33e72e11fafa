/**
 * The one error body every route answers with (`{code, message, requestId, details?}`, what error-handler.ts sends),
 * as a response schema. Every route gets it for 4xx and 5xx unless it declares its own for a status, and a route that
 * does (the VC API verify routes add the failed checks) extends this one, so the serializer and the handler agree.
 */
export const errorProperties = {
  code: { type: 'string', description: 'stable error code (src/errors.ts)' },
  message: { type: 'string' },
  requestId: { type: 'string' },
  details: { description: 'structured detail, e.g. the violated rules or the schema errors' },
} as const;

export function errorResponse(extra: Record<string, object> = {}, description = 'Error: `{code, message, requestId}`') {
  return {
    description,
    type: 'object',
    properties: { ...errorProperties, ...extra },
    required: ['code', 'message', 'requestId'],
  } as const;
}
