import type { FastifyPluginAsync } from 'fastify';
import { listAudit, verifyAuditChain } from '../../rpl/audit.js';
import { caseStatistics } from '../../rpl/statistics.js';
import { currentUser, requireRole } from '../auth.js';

/** Oversight: the audit log and its chain check (admin), and suppressed statistics (staff). */
export const rplAdminRoutes: FastifyPluginAsync = async (app) => {
  const { db } = app.services;

  app.get('/audit/verify', { onRequest: requireRole('admin'), schema: { tags: ['audit'], summary: 'Check the audit hash chain; reports the first broken link' } }, async () =>
    verifyAuditChain(db.kysely),
  );

  app.get<{ Querystring: { caseId?: string; afterSeq?: number; limit?: number } }>('/audit', {
    onRequest: requireRole('admin'),
    schema: {
      tags: ['audit'],
      summary: 'Audit entries in order (state changes, evidence reads, exports, erasures)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { caseId: { type: 'string', maxLength: 64 }, afterSeq: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 1, maximum: 1000 } },
      },
    },
  }, async (request) => listAudit(db.kysely, request.query));

  app.get<{ Querystring: { from?: string; to?: string } }>('/rpl/statistics', {
    onRequest: requireRole('admin', 'certifying_officer', 'counsellor', 'moderator'),
    schema: {
      tags: ['rpl'],
      summary: 'Case counts by sex, age band, country of work, sector, qualification and outcome (cells < 5 suppressed)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { from: { type: 'string', format: 'date' }, to: { type: 'string', format: 'date' } },
      },
    },
  }, async (request) => {
    const actor = currentUser(request);
    // Staff of a certifying body see their body's cases; an admin (or staff of no body) sees all.
    return caseStatistics(db.kysely, { issuerId: actor.role === 'admin' ? null : actor.issuerId, ...request.query });
  });
};
