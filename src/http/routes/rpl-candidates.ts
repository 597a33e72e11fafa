import type { FastifyPluginAsync } from 'fastify';
import {
  createCandidate,
  eraseCandidate,
  exportCandidate,
  getCandidate,
  getOwnCandidate,
  listCandidates,
  setStatisticsConsent,
  SEXES,
  updateCandidate,
  withdrawConsent,
  type CandidateInput,
  type CandidateUpdate,
} from '../../rpl/candidates.js';
import { confirmContactChange } from '../../rpl/contact-changes.js';
import { accessContext, actorOf, signedIn } from '../access.js';

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

/**
 * Returnee profiles: registered by a counsellor with consent; read, corrected, exported and erased on request. Who may
 * do what is src/policy's (asked by src/rpl/candidates.ts); an admin states a reason in `X-Tanda-Access-Reason`.
 */
export const rplCandidateRoutes: FastifyPluginAsync = async (app) => {
  const { rpl } = app.services;

  app.post<{ Body: CandidateInput }>('/candidates', {
    onRequest: signedIn,
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
            properties: { purpose: { type: 'string', minLength: 3, maxLength: 500 }, givenAt: { type: 'string', format: 'date-time' }, statistics: { type: 'boolean' } },
          },
        },
      },
    },
  }, async (request, reply) => reply.status(201).send(await createCandidate(rpl, actorOf(request), request.body)));

  app.get<{ Querystring: { q?: string; limit?: number; offset?: number } }>('/candidates', {
    onRequest: signedIn,
    schema: {
      tags: ['rpl'],
      summary: 'Returnees the caller may see (staff: registered by or with a case at their body), by name; q: part of the name, or the start of the e-mail or phone',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { q: { type: 'string', minLength: 1, maxLength: 200 }, limit: { type: 'integer', minimum: 1, maximum: 200 }, offset: { type: 'integer', minimum: 0, maximum: 1_000_000 } },
      },
    },
  }, async (request) => listCandidates(rpl, actorOf(request), request.query, accessContext(request)));

  app.get('/candidates/me', { onRequest: signedIn, schema: { tags: ['rpl'], summary: 'The signed-in returnee\'s own profile' } }, async (request) =>
    getOwnCandidate(rpl, actorOf(request)),
  );

  app.get<{ Params: { id: string } }>('/candidates/:id', { onRequest: signedIn, schema: { tags: ['rpl'], params: idParams } }, async (request) =>
    getCandidate(rpl, actorOf(request), request.params.id, accessContext(request)),
  );

  app.patch<{ Params: { id: string }; Body: CandidateUpdate }>('/candidates/:id', {
    onRequest: signedIn,
    schema: {
      tags: ['rpl'],
      summary: 'Correct a profile. A new e-mail or phone is not applied: it becomes a pending change (in `pendingContactChanges`) with a code sent to the new contact and a notice to those on file',
      params: idParams,
      body: { type: 'object', additionalProperties: false, minProperties: 1, properties: profile },
    },
  }, async (request) => updateCandidate(rpl, actorOf(request), request.params.id, request.body, accessContext(request)));

  app.post<{ Params: { id: string; changeId: string }; Body: { code: string } }>('/candidates/:id/contact-changes/:changeId/confirm', {
    // policy: change_contact, decided in confirmContactChange (the returnee, or a counsellor of their body).
    onRequest: signedIn,
    schema: {
      tags: ['rpl'],
      summary: 'Apply a pending e-mail or phone change with the code sent to the new contact (5 tries, 10 minutes, once)',
      params: { type: 'object', additionalProperties: false, required: ['id', 'changeId'], properties: { id: { type: 'string', maxLength: 64 }, changeId: { type: 'string', format: 'uuid' } } },
      body: { type: 'object', additionalProperties: false, required: ['code'], properties: { code: { type: 'string', pattern: '^[0-9]{6}$' } } },
    },
  }, async (request) => {
    await confirmContactChange(rpl, actorOf(request), request.params.id, request.params.changeId, request.body.code);
    return getCandidate(rpl, actorOf(request), request.params.id, accessContext(request));
  });

  app.post<{ Params: { id: string } }>('/candidates/:id/consent/withdraw', {
    onRequest: signedIn,
    schema: { tags: ['rpl'], summary: 'Withdraw consent: open cases are withdrawn', params: idParams },
  }, async (request) => withdrawConsent(rpl, actorOf(request), request.params.id, accessContext(request)));

  app.put<{ Params: { id: string }; Body: { given: boolean } }>('/candidates/:id/statistics-consent', {
    // policy: statistics_consent, decided in setStatisticsConsent (the returnee only).
    onRequest: signedIn,
    schema: {
      tags: ['rpl'],
      summary: 'Give or withdraw consent to be counted in statistics (touches no case; audited)',
      params: idParams,
      body: { type: 'object', additionalProperties: false, required: ['given'], properties: { given: { type: 'boolean' } } },
    },
  }, async (request) => setStatisticsConsent(rpl, actorOf(request), request.params.id, request.body.given, accessContext(request)));

  app.get<{ Params: { id: string } }>('/candidates/:id/export', {
    onRequest: signedIn,
    schema: { tags: ['rpl'], summary: 'Everything held about the candidate, as JSON (evidence as metadata)', params: idParams },
  }, async (request, reply) => {
    const data = await exportCandidate(rpl, actorOf(request), request.params.id, accessContext(request));
    return reply.header('content-disposition', `attachment; filename="candidate-${request.params.id}.json"`).send(data);
  });

  app.post<{ Params: { id: string } }>('/candidates/:id/erasure', {
    onRequest: signedIn,
    schema: { tags: ['rpl'], summary: 'Erase what is not needed to keep issued credentials verifiable', params: idParams },
  }, async (request) => eraseCandidate(rpl, actorOf(request), request.params.id, accessContext(request)));
};
