import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { normaliseContact, requestCandidateCode, verifyCandidateCode } from '../../rpl/candidate-login.js';
import { STAFF_ROLES } from '../../policy/policy.js';
import { revokeSession, isSessionToken } from '../../rpl/sessions.js';
import { createStaffUser, listAssessors, listStaff, loginStaff, setStaffActive, type StaffFilter } from '../../rpl/staff.js';
import { actorOf, allowed, signedIn } from '../access.js';

const staffAccount = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    email: { type: ['string', 'null'] },
    role: { type: 'string', enum: STAFF_ROLES },
    issuerId: { type: ['string', 'null'] },
    active: { type: 'boolean' },
    createdAt: { type: 'string' },
  },
} as const;

/** A staff sign-in's e-mail and password (the API's and the console's). */
export const STAFF_SIGN_IN_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'password'],
  properties: { email: { type: 'string', minLength: 3, maxLength: 254 }, password: { type: 'string', minLength: 1, maxLength: 1024 } },
} as const;

/** The same for both sign-ins, per address and account: a shared office IP still lets colleagues in. */
export const STAFF_SIGN_IN_RATE_LIMIT = {
  max: 10,
  timeWindow: '1 minute',
  hook: 'preHandler' as const,
  keyGenerator: (r: FastifyRequest) => `login:${r.ip}:${String((r.body as { email?: string }).email).trim().toLowerCase()}`,
};

/** Sign-in: staff by password, returnees by a one-time code; both get an expiring session token. */
export const rplAuthRoutes: FastifyPluginAsync = async (app) => {
  const { db, rpl } = app.services;

  app.post<{ Body: { email: string; password: string } }>('/auth/login', {
    config: { rateLimit: STAFF_SIGN_IN_RATE_LIMIT },
    schema: { tags: ['auth'], summary: 'Staff sign-in with e-mail and password → session token (use as Bearer)', body: STAFF_SIGN_IN_BODY },
  }, async (request) => {
    const s = await loginStaff(db.kysely, request.body.email, request.body.password);
    return { token: s.token, expiresAt: s.expiresAt, user: { id: s.userId, role: s.role } };
  });

  app.post('/auth/logout', { onRequest: signedIn, schema: { tags: ['auth'], summary: 'End the current session (API tokens are revoked by an admin instead)' } }, async (request, reply) => {
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (token && isSessionToken(token)) await revokeSession(db.kysely, token);
    return reply.status(204).send();
  });

  app.get('/auth/me', { onRequest: signedIn, schema: { tags: ['auth'], summary: 'Who the token belongs to' } }, async (request) => actorOf(request));

  app.post<{ Body: { contact: string } }>('/auth/candidate/code', {
    // Keyed by the contact, not the IP: returnees at a migrant workers office or an assessment day share one
    // address, and what must not be flooded is one person's phone or inbox.
    config: { rateLimit: { max: 5, timeWindow: '15 minutes', hook: 'preHandler', keyGenerator: (r) => `code:${normaliseContact(String((r.body as { contact?: string }).contact))}` } },
    schema: {
      tags: ['auth'],
      summary: 'A returnee asks for a sign-in code, sent to their registered e-mail or phone (same answer, and the same work, for unknown contacts)',
      body: { type: 'object', additionalProperties: false, required: ['contact'], properties: { contact: { type: 'string', minLength: 3, maxLength: 254 } } },
    },
    // The worker looks the contact up; waking it only once the answer has gone keeps that work off this response.
    onResponse: async () => rpl.outbox.wake(),
  }, async (request, reply) => {
    const { challengeId } = await requestCandidateCode(db.kysely, request.body.contact);
    return reply.status(202).send({ challengeId });
  });

  app.post<{ Body: { challengeId: string; code: string } }>('/auth/candidate/verify', {
    // Guessing is bounded per challenge (5 tries); this only bounds the load from one address.
    config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
    schema: {
      tags: ['auth'],
      summary: 'Exchange the code for a session token',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['challengeId', 'code'],
        properties: { challengeId: { type: 'string', format: 'uuid' }, code: { type: 'string', pattern: '^[0-9]{6}$' } },
      },
    },
  }, async (request) => {
    const s = await verifyCandidateCode(db.kysely, request.body.challengeId, request.body.code);
    return { token: s.token, expiresAt: s.expiresAt, user: { id: s.userId, role: 'candidate' } };
  });

  app.post<{ Body: { name: string; email: string; role: 'admin' | 'certifying_officer' | 'assessor' | 'moderator' | 'counsellor'; issuerId?: string | null; password: string } }>('/staff', {
    onRequest: [signedIn, allowed('create', () => ({ kind: 'account', issuerId: null }))],
    schema: {
      tags: ['auth'],
      summary: 'Create a staff account with a password (admin)',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'email', 'role', 'password'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          email: { type: 'string', minLength: 3, maxLength: 254 },
          role: { type: 'string', enum: STAFF_ROLES },
          issuerId: { type: ['string', 'null'], maxLength: 200 },
          password: { type: 'string', minLength: 12, maxLength: 1024 },
        },
      },
    },
  }, async (request, reply) => {
    const user = await createStaffUser(db.kysely, request.body);
    return reply.status(201).send(user);
  });

  app.get<{ Querystring: StaffFilter }>('/staff', {
    onRequest: signedIn,
    schema: {
      tags: ['auth'],
      summary: 'Staff accounts (admin): of one body or all, by name; active ones unless includeInactive; never a password hash',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          issuerId: { type: 'string', minLength: 1, maxLength: 200 },
          role: { type: 'string', enum: STAFF_ROLES },
          includeInactive: { type: 'boolean' },
          limit: { type: 'integer', minimum: 1, maximum: 500 },
          offset: { type: 'integer', minimum: 0, maximum: 1_000_000 },
        },
      },
      response: { 200: { type: 'object', properties: { staff: { type: 'array', items: staffAccount }, total: { type: 'integer' } } } },
    },
  }, async (request) => listStaff(db.kysely, actorOf(request), request.query));

  app.patch<{ Params: { id: string }; Body: { active: boolean } }>('/staff/:id', {
    onRequest: signedIn,
    schema: {
      tags: ['auth'],
      summary: 'Deactivate (active: false) or reactivate a staff account (admin); deactivating signs it out everywhere',
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
      body: { type: 'object', additionalProperties: false, required: ['active'], properties: { active: { type: 'boolean' } } },
      response: { 200: staffAccount },
    },
  }, async (request) => setStaffActive(db, actorOf(request), request.params.id, request.body.active));

  app.get<{ Params: { id: string } }>('/issuers/:id/assessors', {
    onRequest: signedIn,
    schema: {
      tags: ['auth'],
      summary: 'The active assessors of a certifying body, to name one on a case (its counsellors and certifying officers, admins)',
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 200 } }, required: ['id'] },
      response: { 200: { type: 'object', properties: { assessors: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } } } } } },
    },
  }, async (request) => listAssessors(db.kysely, actorOf(request), request.params.id));
};
