import type { FastifyPluginAsync } from 'fastify';
import { listConflicts, resolveConflict, type ResolutionInput } from '../../console/conflicts.js';
import { MAX_OFFLINE_CASES, createOfflineDay } from '../../console/offline-day.js';
import { MAX_SYNC_EVENTS, syncEvents, type SyncEvent } from '../../console/sync.js';
import { accessContext, actorOf, signedIn } from '../access.js';
import { unitJudgementSchema } from './rpl-cases.js';

const caseId = { type: 'string', minLength: 1, maxLength: 64 };

/** What every event recorded on a device carries, whatever its type. */
const eventEnvelope = {
  id: { type: 'string', format: 'uuid' },
  caseId,
  baseVersion: { type: 'integer', minimum: 1 },
  packageId: { type: 'string', format: 'uuid' },
  recordedAt: { type: 'string', format: 'date-time' },
} as const;

const unitDecisionEvent = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'caseId', 'baseVersion', 'recordedAt', 'type', 'assessedOn', 'unit'],
  properties: {
    ...eventEnvelope,
    type: { type: 'string', enum: ['unit_decision'] },
    assessedOn: { type: 'string', format: 'date' },
    centreId: { type: ['string', 'null'], maxLength: 200 },
    country: { type: ['string', 'null'], pattern: '^[A-Z]{2}$' },
    unit: unitJudgementSchema,
  },
} as const;

/** The case-level decide recorded on the device, after its unit decisions (whose ids it names). */
const caseDecisionEvent = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'caseId', 'baseVersion', 'recordedAt', 'type', 'unitEventIds'],
  properties: {
    ...eventEnvelope,
    type: { type: 'string', enum: ['case_decision'] },
    unitEventIds: { type: 'array', maxItems: 200, uniqueItems: true, items: { type: 'string', format: 'uuid' } },
  },
} as const;

const syncEvent = {
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string', enum: ['unit_decision', 'case_decision'] } },
  oneOf: [unitDecisionEvent, caseDecisionEvent],
} as const;

/** The console's offline assessment day (src/console/): the rules live there and in src/policy. */
export const consoleSyncRoutes: FastifyPluginAsync = async (app) => {
  const { rpl } = app.services;

  app.post<{ Body: { caseIds: string[] } }>('/console/offline-days', {
    onRequest: signedIn,
    schema: {
      tags: ['console'],
      summary: 'Take your assigned cases off the server for an assessment day without network (all or none; audited per case)',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['caseIds'],
        properties: { caseIds: { type: 'array', minItems: 1, maxItems: MAX_OFFLINE_CASES, uniqueItems: true, items: caseId } },
      },
    },
  }, async (request, reply) => reply.status(201).send(await createOfflineDay(rpl, actorOf(request), request.body)));

  app.post<{ Body: { events: SyncEvent[] } }>('/console/sync', {
    onRequest: signedIn,
    schema: {
      tags: ['console'],
      summary: 'Send what was recorded offline: each event applied, kept as a conflict for a person, or answered as already synced (by its id)',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['events'],
        properties: { events: { type: 'array', minItems: 1, maxItems: MAX_SYNC_EVENTS, items: syncEvent } },
      },
    },
  }, async (request) => syncEvents(rpl, actorOf(request), request.body.events));

  app.get<{ Querystring: { state?: 'open' | 'resolved'; limit?: number } }>('/console/conflicts', {
    onRequest: signedIn,
    schema: {
      tags: ['console'],
      summary: 'Offline events kept for a person to look at: your own, or your body\'s as a certifying officer',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { state: { type: 'string', enum: ['open', 'resolved'] }, limit: { type: 'integer', minimum: 1, maximum: 500 } },
      },
    },
  }, async (request) => listConflicts(rpl, actorOf(request), request.query, accessContext(request)));

  app.post<{ Params: { id: string }; Body: ResolutionInput }>('/console/conflicts/:id/resolution', {
    onRequest: signedIn,
    schema: {
      tags: ['console'],
      summary: 'Resolve a sync conflict: apply the device\'s judgement now (the normal rules apply) or discard it; the event is kept either way',
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['action'],
        properties: { action: { type: 'string', enum: ['apply', 'discard'] }, note: { type: ['string', 'null'], maxLength: 4000 } },
      },
    },
  }, async (request) => resolveConflict(rpl, actorOf(request), request.params.id, request.body));
};
