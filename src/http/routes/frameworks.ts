import type { FastifyPluginAsync } from 'fastify';
import type { Executor } from '../../db/database.js';
import { TandaError } from '../../errors.js';
import { addAccreditation, addAssessmentCentre, listAccreditations, listAssessmentCentres, listCertifyingBodies, type AccreditationInput } from '../../frameworks/accreditation-repository.js';
import { findIssuer } from '../../issuers/issuers.js';
import { importCatalogue, parseCatalogueCsv, type CatalogueInput } from '../../frameworks/catalogue-import.js';
import { getQualification, getQualificationByCode, searchQualifications } from '../../frameworks/catalogue-repository.js';
import { getFramework, listFrameworks, listMappingTables } from '../../frameworks/framework-repository.js';
import { importMappingTable, parseMappingCsv, type MappingTableInput, type MappingTableMeta } from '../../frameworks/mapping-import.js';
import { qualificationUrl } from '../../frameworks/urls.js';
import { actorOf, allowed, signedIn } from '../access.js';

/*
 * Registry API: public reads (employers and the verifier browse frameworks and the catalogue), admin-only writes.
 * Schemas describe the shapes for OpenAPI; response objects allow additional properties so documentation lags
 * never strip data.
 */

const text = { type: 'object', additionalProperties: { type: 'string' }, description: 'Text keyed by language tag' } as const;
const level = {
  type: 'object',
  additionalProperties: true,
  properties: { level: { type: 'integer' }, title: text, descriptors: { type: 'object', additionalProperties: text }, source: { type: 'string' }, confidence: { type: 'string' } },
} as const;
const framework = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    acronym: { type: 'string' },
    name: text,
    country: { type: ['string', 'null'] },
    kind: { type: 'string', enum: ['reference', 'national', 'sub-framework'] },
    referencingStatus: { type: 'string' },
    sources: { type: 'array', items: { type: 'string' } },
    confidence: { type: 'string', enum: ['sourced', 'moderate', 'uncertain'] },
    gaps: { type: 'string' },
    levels: { type: 'array', items: level },
  },
} as const;
const mappingTable = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    frameworkId: { type: 'string' },
    status: { type: 'string', enum: ['official', 'provisional'] },
    source: { type: 'string' },
    citation: { type: ['string', 'null'] },
    validFrom: { type: 'string', format: 'date-time' },
    validUntil: { type: ['string', 'null'] },
    entries: { type: 'array', items: { type: 'object', properties: { nationalLevel: { type: 'integer' }, aqrfLevel: { type: 'integer' } } } },
  },
} as const;
const qualification = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string', description: 'Stable catalogue URL, used as achievement.id' },
    code: { type: 'string' },
    titles: text,
    frameworkId: { type: 'string' },
    frameworkAcronym: { type: 'string' },
    nationalLevel: { type: 'integer' },
    country: { type: 'string' },
    sector: { type: 'string' },
    awardRule: { type: 'object', properties: { electives: { type: 'integer' } } },
    validityYears: { type: ['integer', 'null'] },
    demo: { type: 'boolean' },
    units: {
      type: 'array',
      items: { type: 'object', properties: { unitId: { type: 'string' }, code: { type: 'string' }, titles: text, kind: { type: 'string', enum: ['core', 'elective'] } } },
    },
  },
} as const;
const importErrors = {
  type: 'object',
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    details: {
      type: 'object',
      properties: {
        errors: { type: 'array', items: { type: 'object', properties: { row: { type: ['integer', 'null'] }, field: { type: 'string' }, message: { type: 'string' } } } },
      },
    },
  },
} as const;
const mappingMeta = {
  id: { type: 'string', maxLength: 100 },
  frameworkId: { type: 'string', maxLength: 100 },
  status: { type: 'string', enum: ['official', 'provisional'] },
  source: { type: 'string', maxLength: 2000 },
  citation: { type: ['string', 'null'], maxLength: 2000 },
  validFrom: { type: 'string', maxLength: 40 },
  validUntil: { type: ['string', 'null'], maxLength: 40 },
} as const;

const accreditation = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string' },
    issuerId: { type: 'string' },
    country: { type: 'string' },
    frameworkId: { type: ['string', 'null'] },
    qualificationIds: { type: 'array', items: { type: 'string' } },
    sectors: { type: 'array', items: { type: 'string' } },
    validFrom: { type: 'string' },
    validUntil: { type: ['string', 'null'] },
    accreditedBy: { type: ['string', 'null'] },
    reference: { type: ['string', 'null'] },
  },
} as const;
const centre = {
  type: 'object',
  additionalProperties: true,
  properties: { id: { type: 'string' }, issuerId: { type: 'string' }, name: { type: 'string' }, country: { type: 'string' }, city: { type: ['string', 'null'] }, address: { type: ['string', 'null'] } },
} as const;

/** Registry writes: the policy's `registry` `manage` (an admin). */
const manage = [signedIn, allowed('manage', () => ({ kind: 'registry' }))];
const security = [{ bearer: [] }];

export const frameworkRoutes: FastifyPluginAsync = async (app) => {
  const { db } = app.services;
  // A registry change a certificate will carry publishes its QR type tables in the same transaction (type-tables.ts).
  const withTables = <T>(change: (tx: Executor) => Promise<T>, issuerId?: string): Promise<T> =>
    db.kysely.transaction().execute(async (tx) => {
      const result = await change(tx);
      await app.services.publishTypeTables(tx, issuerId ? { issuerIds: [issuerId] } : {});
      return result;
    });
  // Imports accept spreadsheets exported as CSV; the parser stays inside this plugin.
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.get<{ Querystring: { country?: string } }>('/frameworks', {
    schema: {
      tags: ['registry'],
      summary: 'The AQRF and the national qualification frameworks, with levels, sources and confidence',
      querystring: { type: 'object', additionalProperties: false, properties: { country: { type: 'string', pattern: '^[A-Z]{2}$' } } },
      response: { 200: { type: 'object', properties: { frameworks: { type: 'array', items: framework } } } },
    },
  }, async (request) => ({ frameworks: await listFrameworks(db.kysely, request.query) }));

  app.get<{ Params: { id: string } }>('/frameworks/:id', {
    schema: {
      tags: ['registry'],
      summary: 'One framework with its levels and every version of its AQRF mapping table',
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 100 } }, required: ['id'] },
      response: { 200: { ...framework, properties: { ...framework.properties, mappingTables: { type: 'array', items: mappingTable } } } },
    },
  }, async (request) => {
    const f = await getFramework(db.kysely, request.params.id);
    if (!f) throw new TandaError('not_found', `no framework ${request.params.id}`);
    return { ...f, mappingTables: await listMappingTables(db.kysely, { frameworkId: f.id }) };
  });

  app.post<{ Body: MappingTableInput | string; Querystring: MappingTableMeta }>('/frameworks/mappings/import', {
    onRequest: manage,
    schema: {
      tags: ['registry'],
      summary: 'Import a new national → AQRF mapping table version (JSON, or CSV national_level,aqrf_level with metadata in the query)',
      security,
      querystring: { type: 'object', additionalProperties: false, properties: mappingMeta },
      body: {
        content: {
          'application/json': {
            schema: {
              type: 'object',
              additionalProperties: false,
              properties: {
                ...mappingMeta,
                entries: { type: 'array', maxItems: 20, items: { type: 'object', additionalProperties: false, properties: { nationalLevel: {}, aqrfLevel: {} } } },
              },
            },
          },
          'text/csv': { schema: { type: 'string', maxLength: 20000 } },
        },
      },
      response: { 201: mappingTable, 422: importErrors },
    },
  }, async (request, reply) => {
    const input = typeof request.body === 'string' ? parseMappingCsv(request.body, request.query) : request.body;
    const table = await withTables((tx) => importMappingTable(tx, actorOf(request), input, { createdBy: actorOf(request).id }));
    return reply.status(201).send(table);
  });

  app.get<{ Querystring: { q?: string; sector?: string; country?: string; lang?: string; framework?: string; limit?: number; offset?: number } }>('/qualifications', {
    schema: {
      tags: ['registry'],
      summary: 'Search the qualification catalogue by code or title (units included), sector, country and language',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          q: { type: 'string', maxLength: 200 },
          sector: { type: 'string', maxLength: 200 },
          country: { type: 'string', pattern: '^[A-Za-z]{2}$' },
          lang: { type: 'string', pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$' },
          framework: { type: 'string', maxLength: 100 },
          limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
          offset: { type: 'integer', minimum: 0, default: 0 },
        },
      },
      response: { 200: { type: 'object', properties: { qualifications: { type: 'array', items: qualification } } } },
    },
  }, async (request) => {
    const { framework: frameworkId, ...rest } = request.query;
    return { qualifications: await searchQualifications(db.kysely, { ...rest, ...(frameworkId ? { frameworkId } : {}) }) };
  });

  app.get<{ Params: { id: string } }>('/qualifications/:id', {
    schema: {
      tags: ['registry'],
      summary: 'One qualification by its slug (last segment of its catalogue URL), its code, or its full URL',
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 500 } }, required: ['id'] },
      response: { 200: qualification },
    },
  }, async (request) => {
    const { id } = request.params;
    const q = /^https?:\/\//.test(id)
      ? await getQualification(db.kysely, id)
      : ((await getQualification(db.kysely, qualificationUrl(id))) ?? (await getQualificationByCode(db.kysely, id)));
    if (!q) throw new TandaError('not_found', `no qualification ${id}`);
    return q;
  });

  app.post<{ Body: CatalogueInput | string; Querystring: { demo?: boolean } }>('/qualifications/import', {
    onRequest: manage,
    schema: {
      tags: ['registry'],
      summary: 'Import units and qualifications (JSON, or CSV with one line per qualification unit); all or nothing',
      security,
      querystring: { type: 'object', additionalProperties: false, properties: { demo: { type: 'boolean' } } },
      body: {
        content: {
          'application/json': {
            schema: {
              type: 'object',
              additionalProperties: false,
              properties: {
                demo: { type: 'boolean' },
                units: { type: 'array', maxItems: 5000, items: { type: 'object' } },
                qualifications: { type: 'array', maxItems: 1000, items: { type: 'object' } },
              },
            },
          },
          'text/csv': { schema: { type: 'string', maxLength: 1_000_000 } },
        },
      },
      response: {
        201: { type: 'object', properties: { unitsCreated: { type: 'integer' }, qualificationsCreated: { type: 'integer' }, unchanged: { type: 'integer' } } },
        422: importErrors,
      },
    },
  }, async (request, reply) => {
    const input =
      typeof request.body === 'string'
        ? parseCatalogueCsv(request.body, { demo: request.query.demo === true })
        : { ...request.body, ...(request.query.demo !== undefined ? { demo: request.query.demo } : {}) };
    return reply.status(201).send(await withTables((tx) => importCatalogue(tx, actorOf(request), input)));
  });

  app.get('/issuers', {
    schema: {
      tags: ['registry'],
      summary: 'Certifying bodies with their accreditation scopes and assessment centres (overseas ones included)',
      response: {
        200: {
          type: 'object',
          properties: {
            issuers: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: true,
                properties: {
                  id: { type: 'string' },
                  name: { type: 'string' },
                  country: { type: 'string' },
                  did: { type: 'string' },
                  accreditations: { type: 'array', items: { type: 'object', additionalProperties: true } },
                  assessmentCentres: { type: 'array', items: { type: 'object', additionalProperties: true } },
                },
              },
            },
          },
        },
      },
    },
  }, async () => ({ issuers: await listCertifyingBodies(db.kysely) }));

  // Public like GET /issuers, which carries the same rows for every body: one body's, for the registry admin screen.
  app.get<{ Params: { id: string } }>('/issuers/:id/accreditations', {
    schema: {
      tags: ['registry'],
      summary: 'The accreditations of one certifying body (scope: country, framework, qualifications or sectors; period)',
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 200 } }, required: ['id'] },
      response: { 200: { type: 'object', properties: { accreditations: { type: 'array', items: accreditation } } } },
    },
  }, async (request) => {
    if (!(await findIssuer(db.kysely, request.params.id))) throw new TandaError('not_found', `no certifying body ${request.params.id}`);
    return { accreditations: await listAccreditations(db.kysely, { issuerId: request.params.id }) };
  });

  app.get<{ Querystring: { issuerId?: string } }>('/assessment-centres', {
    schema: {
      tags: ['registry'],
      summary: 'Assessment centres (of one certifying body with issuerId), overseas ones included',
      querystring: { type: 'object', additionalProperties: false, properties: { issuerId: { type: 'string', minLength: 1, maxLength: 200 } } },
      response: { 200: { type: 'object', properties: { assessmentCentres: { type: 'array', items: centre } } } },
    },
  }, async (request) => ({ assessmentCentres: await listAssessmentCentres(db.kysely, request.query.issuerId ? { issuerId: request.query.issuerId } : {}) }));

  app.post<{ Params: { id: string }; Body: AccreditationInput }>('/issuers/:id/accreditations', {
    onRequest: manage,
    schema: {
      tags: ['registry'],
      summary: 'Accredit a certifying body for a scope (country, framework, qualifications or sectors) over a period',
      security,
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 200 } }, required: ['id'] },
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['country', 'validFrom'],
        properties: {
          country: { type: 'string', pattern: '^[A-Z]{2}$' },
          frameworkId: { type: ['string', 'null'], maxLength: 100 },
          qualificationIds: { type: 'array', maxItems: 500, items: { type: 'string', maxLength: 500 } },
          sectors: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 200 } },
          validFrom: { type: 'string', maxLength: 40 },
          validUntil: { type: ['string', 'null'], maxLength: 40 },
          accreditedBy: { type: ['string', 'null'], maxLength: 500 },
          reference: { type: ['string', 'null'], maxLength: 500 },
        },
      },
      response: { 201: { type: 'object', additionalProperties: true, properties: { id: { type: 'string' }, issuerId: { type: 'string' } } } },
    },
  }, async (request, reply) => reply.status(201).send(await withTables((tx) => addAccreditation(tx, actorOf(request), request.params.id, request.body), request.params.id)));

  app.post<{ Body: { issuerId: string; name: string; country: string; city?: string | null; address?: string | null } }>('/assessment-centres', {
    onRequest: manage,
    schema: {
      tags: ['registry'],
      summary: 'Add an assessment centre of a certifying body; its country is where it sits (it may be abroad)',
      security,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['issuerId', 'name', 'country'],
        properties: {
          issuerId: { type: 'string', maxLength: 200 },
          name: { type: 'string', minLength: 1, maxLength: 300 },
          country: { type: 'string', pattern: '^[A-Z]{2}$' },
          city: { type: ['string', 'null'], maxLength: 200 },
          address: { type: ['string', 'null'], maxLength: 1000 },
        },
      },
      response: { 201: { type: 'object', additionalProperties: true, properties: { id: { type: 'string' }, issuerId: { type: 'string' }, country: { type: 'string' } } } },
    },
  }, async (request, reply) => reply.status(201).send(await withTables((tx) => addAssessmentCentre(tx, actorOf(request), request.body), request.body.issuerId)));
};
