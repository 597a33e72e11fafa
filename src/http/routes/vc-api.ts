import type { FastifyPluginAsync } from 'fastify';
import { verifyPresentation } from '../../credentials/presentation.js';
import { TandaError } from '../../errors.js';
import { currentUser, requireRole, requireUser } from '../auth.js';
import { readableCredential } from '../credential-access.js';

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
const verificationResult = {
  type: 'object',
  properties: {
    verified: { type: 'boolean' },
    checks: { type: 'array', items: checkResult },
    notChecked: { type: 'array', items: { type: 'string', enum: ['proof', 'validity', 'status'] } },
  },
  required: ['verified', 'checks'],
} as const;

type CheckName = 'proof' | 'validity' | 'status';
const normaliseChecks = (names: string[] | undefined): CheckName[] | undefined =>
  names?.map((n) => (n === 'expiration' ? 'validity' : n === 'credentialStatus' ? 'status' : (n as CheckName)));

/** W3C VC API: issue, verify, presentation verify and credential retrieval, with VC API status codes. */
export const vcApiRoutes: FastifyPluginAsync = async (app) => {
  const { credentials, documentLoader } = app.services;

  app.post<{ Body: { credential: Record<string, unknown>; options?: { credentialStatus?: { type: string } } } }>(
    '/credentials/issue',
    {
      preHandler: requireRole('certifying_officer'),
      schema: {
        tags: ['vc-api'],
        summary: 'Sign a credential as the caller\'s certifying body (VC 2.0; VC 1.1 accepted)',
        security: [{ bearer: [] }],
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
              },
            },
          },
        },
        response: { 201: { type: 'object', properties: { verifiableCredential: anyObject }, required: ['verifiableCredential'] } },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      if (!user.issuerId) throw new TandaError('forbidden', 'your account is not attached to a certifying body');
      // policy: issuing through the VC API (role check above until src/policy lands).
      // Every credential gets a server-allocated BitstringStatusListEntry, so options.credentialStatus (the only type
      // it may name) changes nothing; a credential claiming a registry qualification is refused (not an award).
      const verifiableCredential = await credentials.issue(request.body.credential, { issuerId: user.issuerId, issuedBy: user.id, kind: 'general' });
      return reply.status(201).send({ verifiableCredential });
    },
  );

  app.post<{ Body: { verifiableCredential: unknown; options?: { checks?: string[] } } }>(
    '/credentials/verify',
    {
      schema: {
        tags: ['vc-api'],
        summary: 'Verify a credential: 200 when verified, 400 when malformed, 422 when a check fails (checks in the body)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['verifiableCredential'],
          properties: { verifiableCredential: anyObject, options: { type: 'object', additionalProperties: false, properties: { checks: checkNames } } },
        },
        response: { 200: verificationResult, 400: verificationResult, 422: verificationResult },
      },
    },
    async (request, reply) => {
      const checks = normaliseChecks(request.body.options?.checks);
      const result = await credentials.verify(request.body.verifiableCredential, checks ? { checks } : {});
      const malformed = result.checks.some((c) => c.id === 'structure' && !c.valid);
      return reply.status(result.verified ? 200 : malformed ? 400 : 422).send(result);
    },
  );

  app.post<{ Body: { verifiablePresentation: unknown; options?: { challenge?: string; domain?: string; checks?: string[] } } }>(
    '/presentations/verify',
    {
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
      },
    },
    async (request, reply) => {
      const { options = {} } = request.body;
      const checks = normaliseChecks(options.checks);
      const result = await verifyPresentation(request.body.verifiablePresentation, {
        documentLoader,
        challenge: options.challenge,
        domain: options.domain,
        verifyCredential: (c) => credentials.verify(c, checks ? { checks } : {}),
      });
      const malformed = result.presentation.checks.some((c) => c.id === 'structure' && !c.valid);
      return reply.status(result.verified ? 200 : malformed ? 400 : 422).send(result);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/credentials/:id',
    {
      preHandler: requireUser,
      schema: {
        tags: ['vc-api'],
        summary: 'A credential issued here (its holder, or staff of the issuing body, or an admin)',
        security: [{ bearer: [] }],
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 200 } }, required: ['id'] },
      },
    },
    async (request) => (await readableCredential(request)).document,
  );
};
