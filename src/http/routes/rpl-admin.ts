import type { FastifyPluginAsync } from 'fastify';
import { listAudit, verifyAuditChain } from '../../rpl/audit.js';
import { authorize } from '../../policy/policy.js';
import { caseStatistics } from '../../rpl/statistics.js';
import { accessContext, actorOf, allowed, signedIn } from '../access.js';

/** Oversight: the audit log (admin; staff for one case of their body), its chain check, and suppressed statistics. */
export const rplAdminRoutes: FastifyPluginAsync = async (app) => {
  const { db } = app.services;

  app.get('/audit/verify', { onRequest: [signedIn, allowed('verify_chain', () => ({ kind: 'audit', issuerId: null }))], schema: { tags: ['audit'], summary: 'Check the audit hash chain; reports the first broken link' } }, async () =>
    verifyAuditChain(db.kysely),
  );

  app.get<{ Querystring: { caseId?: string; afterSeq?: number; limit?: number } }>('/audit', {
    onRequest: signedIn,
    schema: {
      tags: ['audit'],
      summary: 'Audit entries in order (state changes, evidence reads, exports, erasures)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { caseId: { type: 'string', maxLength: 64 }, afterSeq: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 1, maximum: 1000 } },
      },
    },
  }, async (request) => {
    // One case's entries belong to its body; the whole chain is the admin's.
    const kase = request.query.caseId ? await db.kysely.selectFrom('rpl_cases').select('issuer_id').where('id', '=', request.query.caseId).executeTakeFirst() : undefined;
    authorize(actorOf(request), 'read', { kind: 'audit', issuerId: kase?.issuer_id ?? null }, accessContext(request));
    return listAudit(db.kysely, request.query);
  });

  app.get<{ Querystring: { from?: string; to?: string; issuerId?: string } }>('/rpl/statistics', {
    onRequest: signedIn,
    schema: {
      tags: ['rpl'],
      summary: 'Case counts by sex, age band, country of work, sector, qualification and outcome (cells < 5 suppressed)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { from: { type: 'string', format: 'date' }, to: { type: 'string', format: 'date' }, issuerId: { type: 'string', maxLength: 200 } },
      },
    },
  }, async (request) => {
    // One body's cases (by default the caller's own), or every body's when none is named and the policy allows it.
    const actor = actorOf(request);
    const { issuerId = actor.issuerId, ...period } = request.query;
    authorize(actor, 'read', { kind: 'statistics', issuerId: issuerId ?? null });
    return caseStatistics(db.kysely, { issuerId: issuerId ?? null, ...period });
  });
};
