import type { FastifyPluginAsync } from 'fastify';
import {
  candidateForUser,
  candidateView,
  createCandidate,
  eraseCandidate,
  exportCandidate,
  getCandidate,
  SEXES,
  updateCandidate,
  withdrawConsent,
  type CandidateInput,
  type CandidateUpdate,
} from '../../rpl/candidates.js';
import { confirmContactChange } from '../../rpl/contact-changes.js';
import { TandaError } from '../../errors.js';
import { currentUser, requireRole, requireUser } from '../auth.js';

const nullableString = (maxLength: number) => ({ type: ['string', 'null'], maxLength });
const profile = {
  fullName: { type: 'string', minLength: 1, maxLength: 200 },
  nameLatin: nullableString(200),
  email: { type: ['string', 'null'], maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$' },
  phone: { type: ['string', 'null'], maxLength: 32, pattern: '^\\+?[0-9 ()-]{6,}$' },
  preferredLanguage: { type: ['string', 'null'], maxLength: 35, pattern: '^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$' },
  countryOfWork: { type: ['string', 'null'], pattern: '^[A-Z]{2}$' },
  sector: nullableString(200),
  yearsExperience: { type: ['integer', 'null'], minimum: 0, maximum: 70 },
  sex: { type: ['string', 'null'], enum: [...SEXES, null] },
  birthYear: { type: ['integer', 'null'], minimum: 1900, maximum: 2100 },
  nationalId: { type: ['string', 'null'], minLength: 4, maxLength: 64 },
};
const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] };

/** Returnee profiles: registered by a counsellor with consent; read, corrected, exported and erased on request. */
export const rplCandidateRoutes: FastifyPluginAsync = async (app) => {
  const { rpl } = app.services;

  app.post<{ Body: CandidateInput }>('/candidates', {
    onRequest: requireRole('counsellor', 'admin'),
    schema: {
      tags: ['rpl'],
      summary: 'Register a returnee (with the consent they gave)',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['fullName', 'consent'],
        properties: {
          ...profile,
          consent: {
            type: 'object',
            additionalProperties: false,
            required: ['purpose'],
            properties: { purpose: { type: 'string', minLength: 3, maxLength: 500 }, givenAt: { type: 'string', format: 'date-time' } },
          },
        },
      },
    },
  }, async (request, reply) => reply.status(201).send(await createCandidate(rpl, currentUser(request), request.body)));

  app.get('/candidates/me', { onRequest: requireRole('candidate'), schema: { tags: ['rpl'], summary: 'The signed-in returnee\'s own profile' } }, async (request) => {
    const row = await candidateForUser(rpl.db.kysely, currentUser(request).id);
    if (!row) throw new TandaError('not_found', 'your account has no candidate profile');
    return candidateView(row);
  });

  app.get<{ Params: { id: string } }>('/candidates/:id', { onRequest: requireUser, schema: { tags: ['rpl'], params: idParams } }, async (request) =>
    getCandidate(rpl, currentUser(request), request.params.id),
  );

  app.patch<{ Params: { id: string }; Body: CandidateUpdate }>('/candidates/:id', {
    onRequest: requireRole('candidate', 'counsellor', 'admin'),
    schema: {
      tags: ['rpl'],
      summary: 'Correct a profile. A new e-mail or phone is not applied: it becomes a pending change (in `pendingContactChanges`) with a code sent to the new contact and a notice to those on file',
      params: idParams,
      body: { type: 'object', additionalProperties: false, minProperties: 1, properties: profile },
    },
  }, async (request) => updateCandidate(rpl, currentUser(request), request.params.id, request.body));

  app.post<{ Params: { id: string; changeId: string }; Body: { code: string } }>('/candidates/:id/contact-changes/:changeId/confirm', {
    // policy: change_contact, decided in confirmContactChange (the returnee, or a counsellor of their body).
    onRequest: requireUser,
    schema: {
      tags: ['rpl'],
      summary: 'Apply a pending e-mail or phone change with the code sent to the new contact (5 tries, 10 minutes, once)',
      params: { type: 'object', additionalProperties: false, required: ['id', 'changeId'], properties: { id: { type: 'string', maxLength: 64 }, changeId: { type: 'string', format: 'uuid' } } },
      body: { type: 'object', additionalProperties: false, required: ['code'], properties: { code: { type: 'string', pattern: '^[0-9]{6}$' } } },
    },
  }, async (request) => {
    await confirmContactChange(rpl, currentUser(request), request.params.id, request.params.changeId, request.body.code);
    return getCandidate(rpl, currentUser(request), request.params.id);
  });

  app.post<{ Params: { id: string } }>('/candidates/:id/consent/withdraw', {
    onRequest: requireRole('candidate', 'counsellor', 'admin'),
    schema: { tags: ['rpl'], summary: 'Withdraw consent: open cases are withdrawn', params: idParams },
  }, async (request) => withdrawConsent(rpl, currentUser(request), request.params.id));

  app.get<{ Params: { id: string } }>('/candidates/:id/export', {
    onRequest: requireRole('candidate', 'counsellor', 'admin'),
    schema: { tags: ['rpl'], summary: 'Everything held about the candidate, as JSON (evidence as metadata)', params: idParams },
  }, async (request, reply) => {
    const data = await exportCandidate(rpl, currentUser(request), request.params.id);
    return reply.header('content-disposition', `attachment; filename="candidate-${request.params.id}.json"`).send(data);
  });

  app.post<{ Params: { id: string } }>('/candidates/:id/erasure', {
    onRequest: requireRole('candidate', 'admin'),
    schema: { tags: ['rpl'], summary: 'Erase what is not needed to keep issued credentials verifiable', params: idParams },
  }, async (request) => eraseCandidate(rpl, currentUser(request), request.params.id));
};
