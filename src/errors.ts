/**
 * The one table of operational errors. Codes are a stable outside contract: clients branch on them,
 * so a code is never renamed or reused with another meaning.
 */
export const ERRORS = {
  // request shape
  invalid_json: { status: 400, message: 'The request body is not valid JSON' },
  unsupported_media_type: { status: 415, message: 'Unsupported content type' },
  payload_too_large: { status: 413, message: 'The request body is too large' },
  validation_failed: { status: 400, message: 'The request does not match the schema' },
  unknown_field: { status: 400, message: 'The request has a field this route does not accept' },
  invalid_multipart: { status: 400, message: 'The multipart body is malformed (no boundary, cut off, or a broken part header)' },
  invalid_text: { status: 400, message: 'The request has text that is not valid UTF-8 or contains a NUL character' },
  uri_too_long: { status: 414, message: 'A path parameter is longer than any this service accepts' },
  not_found: { status: 404, message: 'Not found' },
  route_not_found: { status: 404, message: 'No such route' },
  method_not_allowed: { status: 405, message: 'Method not allowed' },
  rate_limited: { status: 429, message: 'Too many requests' },
  // auth
  unauthenticated: { status: 401, message: 'Authentication required' },
  invalid_credentials: { status: 401, message: 'Invalid credentials' },
  token_expired: { status: 401, message: 'The API token has expired: ask for a new one' },
  invalid_code: { status: 422, message: 'The confirmation code is wrong, expired or already used' },
  forbidden: { status: 403, message: 'Your role does not allow this' },
  csrf_failed: { status: 403, message: 'The request lacks the page\'s anti-forgery token (X-CSRF-Token)' },
  reason_required: { status: 403, message: 'Reading a returnee\'s data as an admin needs a stated reason' },
  // credentials and keys
  invalid_credential: { status: 422, message: 'The credential is malformed' },
  // 400, not 422: the VC API answers an issuer that does not match the instance's with 400 Bad Request.
  issuer_mismatch: { status: 400, message: 'The credential names another issuer than the caller\'s certifying body' },
  nonconformant_credential: { status: 400, message: 'The credential breaks a rule of the W3C VC Data Model 2.0; details lists each rule' },
  malformed_document: { status: 400, message: 'The document is not a well-formed verifiable credential or presentation' },
  // 400, not 413: the bytes fit the body limit; it is the shape (nesting, array lengths, number of values) that a
  // verifier refuses before any JSON-LD processing, and the VC API answers invalid input with 400.
  document_too_complex: { status: 400, message: 'The document is larger or more deeply nested than any credential or presentation this service verifies' },
  verification_busy: { status: 503, message: 'Too many verifications and signatures are waiting; try again shortly' },
  verification_failed: { status: 400, message: 'The document does not verify; checks lists what failed' },
  invalid_jsonld: { status: 400, message: 'The document is not valid JSON-LD under its contexts (e.g. a term no context defines)' },
  invalid_pointer: { status: 400, message: 'A mandatory pointer is not a JSON pointer to a value of the credential' },
  not_acceptable: { status: 406, message: 'None of the media types in Accept can be served' },
  credential_status_not_allowed: { status: 400, message: 'The issuer allocates the credential\'s status entry; a credential to issue must not carry credentialStatus' },
  registry_claim_not_allowed: { status: 400, message: 'The credential claims a qualification, unit or level of the registry: those are issued only by certifying an RPL case' },
  idempotency_key_invalid: { status: 400, message: 'The Idempotency-Key header must be 1 to 255 printable ASCII characters' },
  // IETF draft: 422 for a key reused with another request; VC API routes answer client errors with 400 only.
  idempotency_key_mismatch: { status: 400, message: 'This Idempotency-Key was already used with another request' },
  unsupported_option: { status: 400, message: 'Unsupported option' },
  unknown_context: { status: 400, message: 'The document uses a JSON-LD context this service does not know' },
  unresolvable_did: { status: 400, message: 'The DID cannot be resolved offline' },
  issuer_has_no_key: { status: 409, message: 'The certifying body has no signing key' },
  not_accredited: { status: 403, message: 'The certifying body is not accredited for this' },
  qr_malformed: { status: 422, message: 'The QR code text is not a Tanda credential payload' },
  qr_table_unknown: { status: 422, message: 'This QR code is newer than your verification data: update your verification data' },
  // trust bundle (offline verification data)
  trust_bundle_invalid: { status: 422, message: 'The verification data is not signed by the registry authority this verifier trusts' },
  trust_bundle_unavailable: { status: 503, message: 'No verification data is available' },
  // registry
  import_failed: { status: 422, message: 'The import file has errors; nothing was imported' },
  // state
  conflict: { status: 409, message: 'The resource was changed by someone else' },
  already_exists: { status: 409, message: 'The resource already exists' },
  invalid_transition: { status: 409, message: 'This transition is not allowed from the current state' },
  already_revoked: { status: 409, message: 'The credential is already revoked; revocation is final' },
  revocation_final: { status: 409, message: 'A revoked credential cannot be reinstated; re-issue it instead' },
  not_revocable: { status: 409, message: 'The credential has no status entry, so no verifier could learn of a revocation' },
  idempotency_key_in_flight: { status: 409, message: 'A request with this Idempotency-Key is still being processed' },
  share_link_gone: { status: 410, message: 'This share link was revoked by its owner or has expired' },
  upload_offset_mismatch: { status: 409, message: 'The chunk does not start where the upload stands; ask for the offset and resume from there' },
  precondition_failed: { status: 409, message: 'The case does not meet the conditions for this step' },
  evidence_type_refused: { status: 415, message: 'The file is not an accepted evidence type' },
  evidence_empty: { status: 400, message: 'The uploaded file is empty' },
  // the console's offline assessment day
  case_not_assessable: { status: 409, message: 'Some cases cannot be assessed now (not in assessment or reassessment); details.caseIds names them' },
  sync_event_mismatch: { status: 400, message: 'An event id was already synced with another event; details.eventIds names them' },
  sync_package_unknown: { status: 400, message: 'An event names an offline day that is not yours or does not hold its case; details.eventIds names them' },
  conflict_resolved: { status: 409, message: 'This sync conflict is already resolved' },
  conflict_not_applicable: { status: 409, message: 'The case can no longer take this judgement; the conflict stays open (discard it, or record anew)' },
  // certificates (PDF)
  invalid_qr_payload: { status: 422, message: 'The QR payload is not QR alphanumeric text' },
  qr_payload_too_large: { status: 422, message: 'The QR payload is too large to print at a scannable size' },
  certificate_layout_overflow: { status: 422, message: 'The certificate content does not fit its template' },
  certificate_render_busy: { status: 503, message: 'Too many certificates are waiting to be rendered; try again shortly' },
  invalid_image: { status: 422, message: 'The image is not a PNG or JPEG a certificate can print' },
  image_too_large: { status: 413, message: 'The image is larger than a certificate needs' },
  // configuration and internals
  invalid_config: { status: 500, message: 'Invalid configuration' },
  key_decryption_failed: { status: 500, message: 'A stored key could not be decrypted' },
  not_ready: { status: 503, message: 'The service is not ready: its database is unreachable or not migrated' },
  internal: { status: 500, message: 'Internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class TandaError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details: unknown;

  constructor(code: ErrorCode, message?: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message ?? ERRORS[code].message, { cause: options.cause });
    this.name = 'TandaError';
    this.code = code;
    this.statusCode = ERRORS[code].status;
    this.details = options.details;
  }
}

export const isTandaError = (e: unknown): e is TandaError => e instanceof TandaError;
