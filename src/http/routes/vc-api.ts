import type { FastifyPluginAsync } from 'fastify';
import type { Check } from '../../credentials/checks.js';
import { assertDocumentBounds, VERIFY_BODY_LIMIT } from '../../credentials/document-bounds.js';
import type { VerificationResult } from '../../credentials/verify.js';
import { ERRORS } from '../../errors.js';
import { errorResponse } from '../error-schema.js';
import { actorOf, allowed, credentialFor, signedIn } from '../access.js';
import { completeIdempotencyKey, releaseIdempotencyKey } from '../../idempotency/store.js';
import { idempotencyClaim, idempotencyHeaderSchema } from '../idempotency.js';

const anyObject = { type: 'object', additionalProperties: true } as const;
const checkNames = { type: 'array', items: { type: 'string', enum: ['proof', 'validity', 'expiration', 'status', 'credentialStatus'] }, maxItems: 5 } as const;
const checkResult = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    valid: { type: 'boolean' },
    status: { type: 'string', enum: ['pass', 'fail', 'warn'] },
    code: { type: 'string' },
    message: { type: 'string' },
    data: { type: 'object', additionalProperties: true },
  },
  required: ['id', 'valid', 'status', 'message'],
} as const;
const problemDetails = {
  type: 'array',
  items: { type: 'object', properties: { type: { type: 'string' }, title: { type: 'string' }, detail: { type: 'string' } }, required: ['type'] },
} as const;
const verificationExtras = {
  verified: { type: 'boolean' },
  checks: { type: 'array', items: checkResult },
  // What a narrowed `options.checks` left out; the proof is never among them.
  notChecked: { type: 'array', items: { type: 'string', enum: ['proof', 'validity', 'status'] } },
  credential: anyObject,
  problemDetails,
};
const verificationResult = { type: 'object', properties: verificationExtras, required: ['verified', 'checks'] } as const;
/** VC API verify failures: the one error shape, plus `verified: false` and the checks (VC API "invalid input"). */
const verificationFailure = errorResponse(verificationExtras, 'Malformed, or does not verify: `{code, message, requestId, verified: false, checks}`');
const presentationExtras = {
  verified: { type: 'boolean' },
  presentation: { type: 'object', properties: { checks: { type: 'array', items: checkResult } } },
  credentials: { type: 'array', items: verificationResult },
};
/** VC API verify options (VCALM VerifyCredentialOptions) and Tanda's `checks`, which narrows `verified`. */
const verifyOptions = {
  type: 'object',
  additionalProperties: false,
  properties: {
    checks: checkNames,
    returnResults: { type: 'boolean', description: 'accepted; the per-check results are always returned as `checks`' },
    returnProblemDetails: { type: 'boolean' },
    returnCredential: { type: 'boolean' },
  },
} as const;
/** An RFC 6901 JSON pointer (the syntax, not whether it resolves: that is checked against the credential). */
const JSON_POINTER = '^(/([^~/]|~[01])*)*$';

interface VerifyOptions {
  checks?: string[];
  returnResults?: boolean;
  returnProblemDetails?: boolean;
  returnCredential?: boolean;
}

/** Failed checks as VC API ProblemDetails (errors; warnings stay in `checks`), typed by the specification that defines each failure where there is one. */
const PROBLEM_TYPES: Record<string, string> = {
  malformed_credential: 'https://www.w3.org/TR/vc-data-model#MALFORMED_VALUE_ERROR',
  unknown_context: 'https://www.w3.org/TR/vc-data-model#PARSING_ERROR',
  invalid_signature: 'https://w3id.org/security#PROOF_VERIFICATION_ERROR',
  previous_proof_missing: 'https://w3id.org/security#PROOF_VERIFICATION_ERROR',
  unresolvable_did: 'https://w3id.org/security#PROOF_VERIFICATION_ERROR',
  issuer_key_mismatch: 'https://www.w3.org/TR/vc-data-model#CRYPTOGRAPHIC_SECURITY_ERROR',
};
const problemsOf = (checks: Check[]) =>
  checks
    .filter((c) => !c.valid && c.code !== undefined)
    .map((c) => {
      // Status checks carry the Bitstring Status List processing error they stand for.
      const statusError = typeof c.data?.statusError === 'string' ? c.data.statusError : undefined;
      const type = statusError ? `https://www.w3.org/ns/credentials/status-list#${statusError}` : (PROBLEM_TYPES[c.code!] ?? `https://tanda.example/problems#${c.code}`);
      return { type, title: c.code!, detail: c.message };
    });

/** 200 with the result when verified; otherwise 400 in the one error shape with `verified: false` and the checks. */
function verifyAnswer(result: VerificationResult, options: VerifyOptions, credential: unknown) {
  const extras = {
    ...(options.returnCredential && typeof credential === 'object' && credential !== null ? { credential } : {}),
    ...(options.returnProblemDetails ? { problemDetails: problemsOf(result.checks) } : {}),
  };
  if (result.verified) return { status: 200, body: { ...result, ...extras } };
  const malformed = result.checks.some((c) => c.id === 'structure' && !c.valid);
  const code = malformed ? 'malformed_document' : 'verification_failed';
  const failed = result.checks.filter((c) => !c.valid).map((c) => c.code ?? c.id);
  return { status: ERRORS[code].status, body: { code, message: `${ERRORS[code].message}: ${failed.join(', ')}`, ...result, ...extras } };
}

type CheckName = 'proof' | 'validity' | 'status';
const normaliseChecks = (names: string[] | undefined): CheckName[] | undefined =>
  names?.map((n) => (n === 'expiration' ? 'validity' : n === 'credentialStatus' ? 'status' : (n as CheckName)));

/** W3C VC API: issue, verify, presentation verify and credential retrieval, with VC API status codes. */
export const vcApiRoutes: FastifyPluginAsync = async (app) => {
  const { credentials, db } = app.services;

  app.post<{ Body: { credential: Record<string, unknown>; options?: { credentialStatus?: { type: string }; credentialId?: string; mandatoryPointers?: string[] } } }>(
    '/credentials/issue',
    {
      // A certifying officer signs as their own body (an account of no body: refused).
      onRequest: [signedIn, allowed('issue', (request) => ({ kind: 'issuance', issuerId: request.user?.issuerId ?? '' }))],
      schema: {
        tags: ['vc-api'],
        summary: 'Sign a credential as the caller\'s certifying body (VC 2.0; VC 1.1 accepted)',
        security: [{ bearer: [] }],
        headers: idempotencyHeaderSchema,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['credential'],
          properties: {
            credential: anyObject,
            options: {
              type: 'object',
              additionalProperties: false,
              properties: {
                credentialStatus: { type: 'object', additionalProperties: false, properties: { type: { type: 'string', enum: ['BitstringStatusListEntry'] } }, required: ['type'] },
                credentialId: {
                  type: 'string',
                  minLength: 3,
                  maxLength: 200,
                  pattern: '^[a-zA-Z][a-zA-Z0-9+.-]*:\\S+$',
                  description: 'VC API: the URL the issued credential is known by when it has no `id` (it then stays without one)',
                },
                mandatoryPointers: {
                  type: 'array',
                  maxItems: 100,
                  items: { type: 'string', maxLength: 500, pattern: JSON_POINTER },
                  description:
                    'VC API: JSON pointers a holder must always disclose. Accepted and checked to point into the credential; eddsa-rdfc-2022 is not selective, so every statement is always disclosed and any set is met',
                },
              },
            },
          },
        },
        response: { 201: { type: 'object', properties: { verifiableCredential: anyObject }, required: ['verifiableCredential'] } },
      },
    },
    async (request, reply) => {
      // The policy (onRequest) let only a certifying officer of a body through. Every credential gets a
      // server-allocated BitstringStatusListEntry, so options.credentialStatus (the only type it may name) changes
      // nothing; a credential claiming a registry qualification is refused (not an award).
      const actor = actorOf(request);
      const options = request.body.options ?? {};
      const claim = await idempotencyClaim(db, request, reply);
      if (claim?.kind === 'replay') return reply.status(claim.statusCode).header('idempotent-replayed', 'true').send(claim.body);
      try {
        const verifiableCredential = await credentials.issue(request.body.credential, {
          issuerId: actor.issuerId ?? '',
          issuedBy: actor.id,
          kind: 'general',
          ...(options.credentialId !== undefined ? { credentialId: options.credentialId } : {}),
          ...(options.mandatoryPointers !== undefined ? { mandatoryPointers: options.mandatoryPointers } : {}),
          // The response is stored with the credential, in its transaction: a key is done exactly when it exists.
          ...(claim ? { afterStore: (tx, signed) => completeIdempotencyKey(tx, claim, 201, { verifiableCredential: signed }) } : {}),
        });
        return reply.status(201).send({ verifiableCredential });
      } catch (e) {
        if (claim) await releaseIdempotencyKey(db, claim);
        throw e;
      }
    },
  );

  app.post<{ Body: { verifiableCredential: unknown; options?: VerifyOptions } }>(
    '/credentials/verify',
    {
      bodyLimit: VERIFY_BODY_LIMIT,
      schema: {
        tags: ['vc-api'],
        summary: 'Verify a credential: 200 when verified; 400 when the request is malformed or the credential does not verify (with the checks)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['verifiableCredential'],
          properties: { verifiableCredential: anyObject, options: verifyOptions },
        },
        response: { 200: verificationResult, 400: verificationFailure },
      },
    },
    async (request, reply) => {
      const options = request.body.options ?? {};
      const checks = normaliseChecks(options.checks);
      // Refused before it reaches the pool: a worker must never spend seconds on a hostile shape.
      assertDocumentBounds(request.body.verifiableCredential);
      // Inline context objects are accepted here: the signature covers them (docs/conformance.md, README).
      const result = await credentials.verify(request.body.verifiableCredential, { ...(checks ? { checks } : {}), inlineContexts: true });
      const answer = verifyAnswer(result, options, request.body.verifiableCredential);
      return reply.status(answer.status).send(answer.status === 200 ? answer.body : { ...answer.body, requestId: request.id });
    },
  );

  app.post<{ Body: { verifiablePresentation: unknown; options?: { challenge?: string; domain?: string; checks?: string[] } } }>(
    '/presentations/verify',
    {
      bodyLimit: VERIFY_BODY_LIMIT,
      schema: {
        tags: ['vc-api'],
        summary: 'Verify a presentation (proof bound to challenge/domain) and every credential in it',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['verifiablePresentation'],
          properties: {
            verifiablePresentation: anyObject,
            options: {
              type: 'object',
              additionalProperties: false,
              properties: { challenge: { type: 'string', maxLength: 512 }, domain: { type: 'string', maxLength: 512 }, checks: checkNames },
            },
          },
        },
        response: {
          200: { type: 'object', properties: presentationExtras, required: ['verified', 'presentation', 'credentials'] },
          400: errorResponse(presentationExtras, 'Malformed, or does not verify: `{code, message, requestId, verified: false, presentation, credentials}`'),
        },
      },
    },
    async (request, reply) => {
      const { options = {} } = request.body;
      const checks = normaliseChecks(options.checks);
      assertDocumentBounds(request.body.verifiablePresentation);
      const result = await credentials.verifyPresentation(
        request.body.verifiablePresentation,
        { challenge: options.challenge, domain: options.domain },
        { ...(checks ? { checks } : {}), inlineContexts: true },
      );
      if (result.verified) return reply.status(200).send(result);
      const malformed = result.presentation.checks.some((c) => c.id === 'structure' && !c.valid);
      const code = malformed ? 'malformed_document' : 'verification_failed';
      return reply.status(ERRORS[code].status).send({ code, message: ERRORS[code].message, requestId: request.id, ...result });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/credentials/:id',
    {
      onRequest: signedIn,
      schema: {
        tags: ['vc-api'],
        summary: 'A credential issued here (its holder, or staff of the issuing body, or an admin)',
        security: [{ bearer: [] }],
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 200 } }, required: ['id'] },
      },
    },
    async (request) => (await credentialFor(request, 'read')).document,
  );
};
