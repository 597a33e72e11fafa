import type { FastifyPluginAsync } from 'fastify';
import { ASSESSMENT_METHODS, listUnitAssessments, recordUnitAssessments, type AssessmentInput } from '../../rpl/assessment.js';
import { createCase, getCase, listCasesPage, transitionCase, type CaseFilter, type CreateCaseInput, type TransitionInput } from '../../rpl/cases.js';
import { getSelfAssessment, saveSelfAssessment, SELF_RATINGS, type SelfAssessmentItem } from '../../rpl/self-assessment.js';
import { CASE_EVENTS, CASE_STATES } from '../../rpl/transitions.js';
import { accessContext, actorOf, signedIn } from '../access.js';

const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] };
const idString = { type: 'string', minLength: 1, maxLength: 300 };

/** One unit's judgement, as the assessment route and the console's offline sync both take it. */
export const unitJudgementSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['unitId', 'methods', 'evidenceIds', 'quality', 'decision'],
  properties: {
    unitId: idString,
    methods: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...ASSESSMENT_METHODS] } },
    evidenceIds: { type: 'array', maxItems: 100, uniqueItems: true, items: { type: 'string', maxLength: 64 } },
    quality: {
      type: 'object',
      additionalProperties: false,
      required: ['valid', 'authentic', 'current', 'sufficient'],
      properties: { valid: { type: 'boolean' }, authentic: { type: 'boolean' }, current: { type: 'boolean' }, sufficient: { type: 'boolean' } },
    },
    decision: { type: 'string', enum: ['competent', 'not_yet_competent'] },
    notes: { type: ['string', 'null'], maxLength: 4000 },
  },
} as const;

/**
 * Cases and their life cycle; every rule lives in src/rpl and src/policy, these routes only validate and map. The
 * "signed in" check of all RPL routes runs onRequest, before body validation, so an anonymous caller learns nothing
 * about a route's schema and gets 401 whatever it sends.
 */
export const rplCaseRoutes: FastifyPluginAsync = async (app) => {
  const { rpl } = app.services;

  app.post<{ Body: CreateCaseInput }>('/cases', {
    onRequest: signedIn,
    schema: {
      tags: ['rpl'],
      summary: 'Open an RPL case (draft) for a qualification with a certifying body',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['qualificationId', 'issuerId'],
        properties: { candidateId: { type: 'string', maxLength: 64 }, qualificationId: idString, issuerId: idString },
      },
    },
  }, async (request, reply) => reply.status(201).send(await createCase(rpl, actorOf(request), request.body)));

  app.get<{ Querystring: CaseFilter }>('/cases', {
    onRequest: signedIn,
    schema: {
      tags: ['rpl'],
      summary: 'Cases the caller may see (assessors: assigned to them; candidates: their own), newest change first; X-Total-Count: all that match',
      description:
        'Filters: `state`, `qualificationId` (catalogue id), `centreId` (a unit decision of the current round made at that centre), `from`/`to` (the day the case was opened or imported, inclusive), `q` (part of the candidate\'s name, or the start of the case id). The answer is the page as an array; the header X-Total-Count has the number of cases that match.',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          state: { type: 'string', enum: [...CASE_STATES] },
          qualificationId: { type: 'string', minLength: 1, maxLength: 300 },
          centreId: { type: 'string', minLength: 1, maxLength: 200 },
          from: { type: 'string', format: 'date' },
          to: { type: 'string', format: 'date' },
          q: { type: 'string', minLength: 1, maxLength: 200 },
          limit: { type: 'integer', minimum: 1, maximum: 200 },
          offset: { type: 'integer', minimum: 0 },
        },
      },
    },
  }, async (request, reply) => {
    const { cases, total } = await listCasesPage(rpl, actorOf(request), request.query, accessContext(request));
    return reply.header('x-total-count', String(total)).send(cases);
  });

  app.get<{ Params: { id: string } }>('/cases/:id', { onRequest: signedIn, schema: { tags: ['rpl'], params: idParams } }, async (request) =>
    getCase(rpl, actorOf(request), request.params.id, accessContext(request)),
  );

  app.post<{ Params: { id: string }; Body: TransitionInput }>('/cases/:id/transitions', {
    onRequest: signedIn,
    schema: {
      tags: ['rpl'],
      summary: 'Fire an event (submit, accept, decide, confirm, certify, appeal, …) at the version you read',
      params: idParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['event', 'version'],
        properties: {
          event: { type: 'string', enum: [...CASE_EVENTS] },
          version: { type: 'integer', minimum: 1 },
          assessorId: { type: 'string', maxLength: 64 },
          note: { type: 'string', maxLength: 4000 },
        },
      },
    },
  }, async (request) => transitionCase(rpl, actorOf(request), request.params.id, request.body, accessContext(request)));

  app.put<{ Params: { id: string }; Body: { units: SelfAssessmentItem[] } }>('/cases/:id/self-assessment', {
    onRequest: signedIn,
    schema: {
      tags: ['rpl'],
      summary: 'The candidate\'s per-unit self-assessment',
      params: idParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['units'],
        properties: {
          units: {
            type: 'array',
            minItems: 1,
            maxItems: 200,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['unitId', 'rating'],
              properties: { unitId: idString, rating: { type: 'string', enum: [...SELF_RATINGS] }, note: { type: ['string', 'null'], maxLength: 2000 } },
            },
          },
        },
      },
    },
  }, async (request) => saveSelfAssessment(rpl, actorOf(request), request.params.id, request.body.units));

  app.get<{ Params: { id: string } }>('/cases/:id/self-assessment', { onRequest: signedIn, schema: { tags: ['rpl'], params: idParams } }, async (request) =>
    getSelfAssessment(rpl, actorOf(request), request.params.id, accessContext(request)),
  );

  app.post<{ Params: { id: string }; Body: AssessmentInput }>('/cases/:id/assessments', {
    onRequest: signedIn,
    schema: {
      tags: ['rpl'],
      summary: 'Record per-unit judgements: methods, evidence relied on and its quality, Competent / Not Yet Competent; where and when',
      params: idParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['units', 'assessedOn'],
        properties: {
          centreId: { type: ['string', 'null'], maxLength: 200 },
          country: { type: ['string', 'null'], pattern: '^[A-Z]{2}$' },
          assessedOn: { type: 'string', format: 'date' },
          units: {
            type: 'array',
            minItems: 1,
            maxItems: 200,
            items: unitJudgementSchema,
          },
        },
      },
    },
  }, async (request) => recordUnitAssessments(rpl, actorOf(request), request.params.id, request.body));

  app.get<{ Params: { id: string } }>('/cases/:id/assessments', { onRequest: signedIn, schema: { tags: ['rpl'], params: idParams } }, async (request) =>
    listUnitAssessments(rpl, actorOf(request), request.params.id, accessContext(request)),
  );
};
