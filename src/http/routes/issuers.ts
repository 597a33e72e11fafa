import type { FastifyPluginAsync } from 'fastify';
import { TandaError } from '../../errors.js';
import { compromiseKey } from '../../issuers/compromise.js';
import { didWebDocument, findIssuer } from '../../issuers/issuers.js';
import { describeProfile, getIssuerProfile, PROFILE_IMAGE_MAX_BYTES, PROFILE_IMAGES, setIssuerProfile, type IssuerProfileInput } from '../../issuers/profile.js';
import { authorize } from '../../policy/policy.js';
import { actorOf, signedIn } from '../access.js';
import { trustBundleService } from '../../trust/service.js';

const compromiseOutcome = {
  type: 'object',
  properties: {
    issuerId: { type: 'string' },
    verificationMethod: { type: 'string' },
    replacement: { type: 'string' },
    reportedAt: { type: 'string' },
    newlyReported: { type: 'boolean' },
    statusListsResigned: { type: 'integer' },
    reissued: { type: 'array', items: { type: 'object', properties: { replaced: { type: 'string' }, replacement: { type: 'string' } } } },
    notified: { type: 'integer' },
    failed: { type: 'array', items: { type: 'object', properties: { credentialId: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } } },
    completed: { type: 'boolean' },
  },
} as const;

const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 200 } }, required: ['id'] } as const;
// Base64 a little beyond the image limit, so an oversized image is answered image_too_large rather than by the schema.
const imageField = { type: ['string', 'null'], minLength: 1, maxLength: Math.ceil((PROFILE_IMAGE_MAX_BYTES * 2 * 4) / 3), pattern: '^[A-Za-z0-9+/]+={0,2}$' } as const;
const profileImage = {
  type: ['object', 'null'],
  properties: { type: { type: 'string' }, width: { type: 'integer' }, height: { type: 'integer' }, bytes: { type: 'integer' } },
} as const;
const profileResponse = {
  type: 'object',
  properties: {
    issuerId: { type: 'string' },
    signatoryName: { type: 'string' },
    signatoryTitle: { type: 'string' },
    images: { type: 'object', properties: Object.fromEntries(PROFILE_IMAGES.map((s) => [s, profileImage])) },
    updatedAt: { type: 'string' },
  },
} as const;

type ProfileBody = { signatoryName: string; signatoryTitle: string } & Partial<Record<(typeof PROFILE_IMAGES)[number], string | null>>;

export const issuerRoutes: FastifyPluginAsync = async (app) => {
  const { db, keys } = app.services;
  app.get<{ Params: { id: string } }>('/issuers/:id/did.json', {
    schema: {
      tags: ['issuers'],
      summary: 'did:web document of a certifying body hosted here (every key it has used, so old credentials verify)',
      params: idParams,
    },
  }, async (request, reply) => {
    const issuer = await findIssuer(db.kysely, request.params.id);
    if (!issuer || issuer.did_method !== 'web') throw new TandaError('not_found', 'no did:web certifying body with that id');
    const doc = await didWebDocument(db.kysely, keys, issuer.did);
    return reply.type('application/did+json').header('cache-control', 'public, max-age=300').send(doc);
  });

  app.post<{ Params: { id: string }; Body: { reason: string; verificationMethod?: string } }>('/issuers/:id/keys/compromise', {
    onRequest: signedIn,
    schema: {
      tags: ['issuers'],
      summary: 'Report a signing key compromised (admin): nothing it signed verifies, the body gets a new key and its credentials are re-issued under it; safe to repeat',
      security: [{ bearer: [] }],
      params: idParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['reason'],
        properties: { reason: { type: 'string', minLength: 1, maxLength: 500 }, verificationMethod: { type: 'string', minLength: 1, maxLength: 500 } },
      },
      response: { 200: compromiseOutcome },
    },
  }, async (request) => {
    const user = actorOf(request);
    authorize(user, 'compromise_key', { kind: 'body', issuerId: request.params.id });
    const outcome = await compromiseKey(
      { db, keys, status: app.services.status, outbox: app.services.rpl.outbox },
      { issuerId: request.params.id, verificationMethod: request.body.verificationMethod, reason: request.body.reason, actor: { by: user.id, userId: user.id } },
    );
    // Verifiers of this instance (/credentials/verify's registry lines, POST /verify/qr, the next /trust-bundle) see
    // the new key now, not within a minute.
    app.services.registryChanged();
    trustBundleService(app.services).invalidate();
    return outcome;
  });

  app.get<{ Params: { id: string } }>('/issuers/:id/profile', {
    schema: {
      tags: ['issuers'],
      summary: 'What a certifying body\'s certificates show of it: signatory name and title, and which images it has (public, as printed)',
      params: idParams,
      response: { 200: profileResponse },
    },
  }, async (request) => {
    const profile = await getIssuerProfile(db.kysely, request.params.id);
    if (!profile) throw new TandaError('not_found', 'this certifying body has no certificate profile');
    return describeProfile(profile);
  });

  app.put<{ Params: { id: string }; Body: ProfileBody }>('/issuers/:id/profile', {
    onRequest: signedIn,
    bodyLimit: 4 * PROFILE_IMAGE_MAX_BYTES * 2,
    schema: {
      tags: ['issuers'],
      summary: 'Set the certificate profile of a certifying body: signatory, and logo, seal and signature images (base64 PNG or JPEG; null removes one, absent keeps it)',
      security: [{ bearer: [] }],
      params: idParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['signatoryName', 'signatoryTitle'],
        properties: {
          signatoryName: { type: 'string', minLength: 1, maxLength: 120 },
          signatoryTitle: { type: 'string', minLength: 1, maxLength: 160 },
          ...Object.fromEntries(PROFILE_IMAGES.map((s) => [s, imageField])),
        },
      },
      response: { 200: profileResponse },
    },
  }, async (request) => {
    const user = actorOf(request);
    authorize(user, 'manage_profile', { kind: 'body', issuerId: request.params.id });
    const { signatoryName, signatoryTitle } = request.body;
    const input: IssuerProfileInput = { signatoryName, signatoryTitle };
    for (const slot of PROFILE_IMAGES) {
      const value = request.body[slot];
      if (value !== undefined) input[slot] = value === null ? null : new Uint8Array(Buffer.from(value, 'base64'));
    }
    // One upsert: no transaction to hold (a deferred SQLite transaction would make a concurrent writer fail).
    const profile = await setIssuerProfile(db.kysely, request.params.id, input, user.id);
    return describeProfile(profile);
  });
};
