import fs from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { TandaError } from '../../errors.js';
import { credentialCard, ownCredential, ownCredentials } from '../../me/credentials.js';
import { sharePage } from '../../me/share-page.js';
import { createShareLink, listShareLinks, MAX_CREDENTIALS_PER_LINK, openShareLink, revokeShareLink } from '../../me/share-links.js';
import { appendChunk, createUpload, MAX_CHUNK_BYTES, uploadStatus } from '../../me/uploads.js';
import { authorize } from '../../policy/policy.js';
import { verifyCandidateCode } from '../../rpl/candidate-login.js';
import { getOwnCandidate } from '../../rpl/candidates.js';
import { EVIDENCE_KINDS, type EvidenceKind } from '../../rpl/evidence.js';
import { trustBundleService } from '../../trust/service.js';
import { isLanguage, type Language } from '../../verifier/i18n/index.js';
import { verifyCredentialDocument } from '../../verifier/pipeline.js';
import { ensureWebAssets } from '../../web/build.js';
import { ME_CSS, mePage } from '../../web/me/page.js';
import type { CookieSession } from '../cookie-session.js';
import { actorOf, signedIn } from '../access.js';

const hidden = { schema: { hide: true } };
const idParams = { type: 'object', additionalProperties: false, properties: { id: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['id'] } as const;

/** The reader's language for the public page: `?lang=`, else the browser's first known one, else English. */
function readerLanguage(request: FastifyRequest<{ Querystring: { lang?: string } }>): Language {
  if (request.query.lang && isLanguage(request.query.lang)) return request.query.lang;
  for (const part of String(request.headers['accept-language'] ?? '').split(',')) {
    const tag = part.split(';')[0]!.trim().toLowerCase();
    const base = tag === 'tl' || tag.startsWith('tl-') ? 'fil' : tag.split('-')[0]!;
    if (isLanguage(base)) return base;
  }
  return 'en';
}

/**
 * The returnee space: its page and assets, the cookie sign-in (the code is asked for with POST /auth/candidate/code,
 * as for any client), the returnee's certificates, share links and resumable uploads, and the public share page.
 * Every other call the page makes goes to the existing routes, authenticated by the same cookie.
 */
export const meRoutes: FastifyPluginAsync<{ session: CookieSession }> = async (app, { session }) => {
  const { db, rpl } = app.services;
  const asset = async (name: string) => fs.promises.readFile(path.join((await ensureWebAssets()).dir, name));
  const uploadDir = rpl.uploadDir;

  app.get('/me', hidden, async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(mePage()));
  app.get('/me/app.css', hidden, async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(ME_CSS));
  app.get('/me/app.js', hidden, async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(await asset('me.js')));
  app.get('/me/sw.js', hidden, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').header('service-worker-allowed', '/me').send(await asset('me-sw.js')),
  );

  app.post<{ Body: { challengeId: string; code: string } }>('/me/session', {
    config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
    schema: {
      tags: ['me'],
      summary: 'Returnee sign-in for the browser: the code from POST /auth/candidate/code, answered with an HttpOnly session cookie (idle and absolute expiry)',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['challengeId', 'code'],
        properties: { challengeId: { type: 'string', format: 'uuid' }, code: { type: 'string', pattern: '^[0-9]{6}$' } },
      },
    },
  }, async (request, reply) => {
    const s = await verifyCandidateCode(db.kysely, request.body.challengeId, request.body.code, session.limits);
    session.set(request, reply, s);
    return reply.status(201).send({ expiresAt: s.expiresAt });
  });

  app.get('/me/session', {
    onRequest: signedIn,
    schema: { tags: ['me'], summary: 'Who is signed in, and the anti-forgery token the page sends with every change (X-CSRF-Token)' },
  }, async (request, reply) => {
    const actor = actorOf(request);
    authorize(actor, 'use', { kind: 'returnee_space', userId: actor.id });
    const candidate = await getOwnCandidate(rpl, actor);
    reply.header('cache-control', 'private, no-store');
    return {
      user: { id: actor.id, name: candidate.fullName },
      candidateId: candidate.id,
      contact: candidate.email ?? candidate.phone,
      csrfToken: reply.generateCsrf(),
    };
  });

  app.delete('/me/session', { onRequest: signedIn, schema: { tags: ['me'], summary: 'Sign out: the session ends and its cookie is cleared' } }, async (request, reply) => {
    await session.end(request, reply);
    return reply.status(204).send();
  });

  app.get('/me/credentials', { onRequest: signedIn, schema: { tags: ['me'], summary: 'The signed-in returnee\'s certificates, with status, re-issues and QR text' } }, async (request, reply) => {
    reply.header('cache-control', 'private, no-store');
    return ownCredentials(app.services, actorOf(request));
  });

  app.get<{ Params: { id: string } }>('/me/credentials/:id', { onRequest: signedIn, schema: { tags: ['me'], summary: 'One of the returnee\'s certificates', params: idParams } }, async (request, reply) => {
    reply.header('cache-control', 'private, no-store');
    return credentialCard(app.services, await ownCredential(app.services, actorOf(request), request.params.id));
  });

  app.post<{ Body: { credentialIds: string[]; expiresAt: string; label?: string } }>('/me/share-links', {
    onRequest: signedIn,
    schema: {
      tags: ['me'],
      summary: 'Make a share link to some of your certificates, working until the date you choose (the URL is shown only in this answer)',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['credentialIds', 'expiresAt'],
        properties: {
          credentialIds: { type: 'array', minItems: 1, maxItems: MAX_CREDENTIALS_PER_LINK, items: { type: 'string', minLength: 1, maxLength: 200 } },
          expiresAt: { type: 'string', format: 'date-time' },
          label: { type: 'string', maxLength: 200 },
        },
      },
    },
  }, async (request, reply) => reply.status(201).send(await createShareLink(app.services, actorOf(request), request.body)));

  app.get('/me/share-links', { onRequest: signedIn, schema: { tags: ['me'], summary: 'Your share links, each with when it was opened' } }, async (request) => listShareLinks(app.services, actorOf(request)));

  app.delete<{ Params: { id: string } }>('/me/share-links/:id', { onRequest: signedIn, schema: { tags: ['me'], summary: 'Stop a share link at once', params: idParams } }, async (request, reply) => {
    await revokeShareLink(app.services, actorOf(request), request.params.id);
    return reply.status(204).send();
  });

  app.get<{ Params: { token: string }; Querystring: { lang?: string } }>('/s/:token', {
    config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
    schema: {
      tags: ['me'],
      summary: 'The public page of a share link: the employer verifier\'s verdict on each certificate it holds (HTML)',
      params: { type: 'object', properties: { token: { type: 'string', minLength: 20, maxLength: 64 } }, required: ['token'] },
      querystring: { type: 'object', properties: { lang: { type: 'string', maxLength: 8 } } },
    },
  }, async (request, reply) => {
    const lang = readerLanguage(request);
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    let opened: Awaited<ReturnType<typeof openShareLink>>;
    try {
      opened = await openShareLink(app.services, request.params.token);
    } catch (e) {
      if (e instanceof TandaError && (e.code === 'not_found' || e.code === 'share_link_gone')) {
        return reply.status(e.statusCode).send(sharePage(lang, e.code === 'not_found' ? { missing: true } : { gone: true }));
      }
      throw e;
    }
    const data = await trustBundleService(app.services).verifierData();
    const verdicts = [];
    for (const id of opened.credentialIds) {
      const stored = await app.services.credentials.find(id);
      if (stored) verdicts.push(await verifyCredentialDocument(stored.document, data));
    }
    return reply.send(sharePage(lang, { expiresAt: opened.expiresAt, verdicts }));
  });

  await app.register(async (uploads) => {
    // Chunks are raw bytes; only these routes take them, and no more than one chunk at a time.
    uploads.addContentTypeParser('application/offset+octet-stream', { parseAs: 'buffer', bodyLimit: MAX_CHUNK_BYTES }, (_request, body, done) => done(null, body));

    uploads.post<{ Body: { caseId: string; kind: EvidenceKind; title: string; fileName: string; size: number } }>('/me/uploads', {
      onRequest: signedIn,
      schema: {
        tags: ['me'],
        summary: 'Begin a resumable evidence upload (then PATCH its chunks in order, each at the offset the server has)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['caseId', 'kind', 'title', 'fileName', 'size'],
          properties: {
            caseId: { type: 'string', maxLength: 64 },
            kind: { type: 'string', enum: [...EVIDENCE_KINDS] },
            title: { type: 'string', minLength: 1, maxLength: 300 },
            fileName: { type: 'string', minLength: 1, maxLength: 255 },
            size: { type: 'integer', minimum: 1 },
          },
        },
      },
    }, async (request, reply) => reply.status(201).send(await createUpload(rpl, uploadDir, actorOf(request), request.body)));

    uploads.get<{ Params: { id: string } }>('/me/uploads/:id', {
      onRequest: signedIn,
      schema: { tags: ['me'], summary: 'How many bytes of an upload the server has (resume from there)', params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] } },
    }, async (request) => uploadStatus(rpl, actorOf(request), request.params.id));

    uploads.patch<{ Params: { id: string }; Headers: { 'upload-offset': number }; Body: Buffer }>('/me/uploads/:id', {
      onRequest: signedIn,
      schema: {
        tags: ['me'],
        summary: `Append a chunk (application/offset+octet-stream, at most ${MAX_CHUNK_BYTES} bytes) at Upload-Offset; the last one files the evidence`,
        params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] },
        headers: { type: 'object', required: ['upload-offset'], properties: { 'upload-offset': { type: 'integer', minimum: 0 } } },
      },
    }, async (request) => {
      if (!Buffer.isBuffer(request.body) || request.body.length === 0) throw new TandaError('validation_failed', 'send the chunk as application/offset+octet-stream');
      return appendChunk(rpl, uploadDir, actorOf(request), request.params.id, Number(request.headers['upload-offset']), request.body);
    });
  });
};
