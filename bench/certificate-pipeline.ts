import crypto from 'node:crypto';
import { RenderPool } from '../src/certificates/render-pool.js';
import { renderCertificate } from '../src/certificates/render.js';
import type { CertificateView } from '../src/certificates/view.js';
import { nodeDocumentLoader } from '../src/jsonld/index.js';
import { encodeCredentialQr } from '../src/qr/payload.js';
import { typeTableLoaderFrom } from '../src/qr/type-table.js';
import { catalogue, leanCredential, tableSourceFor, testIssuer } from '../tests/qr/fixtures.js';
import { rate } from './measure.js';

/**
 * Complete certificates per second while a cohort is issued and printed through the pool, as `certificates batch
 * --out cohort.zip` does: this thread signs and encodes the next credentials while the workers render, with a few
 * renders per worker in flight so no worker waits for its next view.
 */
async function cohortRate(prepare: () => Promise<CertificateView>, pool: RenderPool, seconds: number): Promise<number> {
  const window = pool.size * 2;
  const inFlight = new Set<Promise<void>>();
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    const task: Promise<void> = pool.render(await prepare()).then(() => {
      n += 1;
    }).finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (inFlight.size >= window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return n / ((performance.now() - start) / 1000);
}

/**
 * A complete certificate as `issue` + print does it: sign the typical credential (30-character name, 6 units, both
 * levels, status entry, proof), encode it as the CBOR-LD QR payload, render the tagged bilingual PDF. Sequentially on
 * one thread, and as a cohort with the render pool (its one-off start, threads loading fonts and HarfBuzz, apart).
 */
export async function benchCertificatePipeline(seconds = 4): Promise<Record<string, number>> {
  const documentLoader = nodeDocumentLoader();
  const issuer = await testIssuer();
  const typeTableLoader = typeTableLoaderFrom([{ registryEntryId: 100, source: tableSourceFor(6, issuer.did) }]);
  const base = leanCredential(6, issuer.did);
  const c = catalogue(6, issuer.did);

  const prepare = async (): Promise<CertificateView> => {
    const signed = await issuer.sign({ ...base, id: `urn:uuid:${crypto.randomUUID()}` }, documentLoader);
    const qr = await encodeCredentialQr(signed, { registryEntryId: 100, typeTableLoader, documentLoader });
    const view: CertificateView = {
      templateId: 'full-qualification',
      paper: 'A4',
      lang: 'id',
      holderName: 'Siti Rahmawati Putri Handayani',
      qualification: { code: 'HK-RA-2', title: { en: c.qualification.name, id: 'Tata Graha — Petugas Kamar' } },
      nationalLevel: { framework: 'KKNI', level: '2' },
      aqrfLevel: { level: 2, status: 'provisional' },
      units: c.units.map((u, i) => ({ code: `D1.HHK.CL3.${String(i + 1).padStart(2, '0')}`, title: { en: u.title } })),
      issuer: { name: c.issuer.name ?? 'LSP Perhotelan Nusantara', country: 'ID' },
      assessment: { centre: 'TUK Sewaktu Hong Kong', country: 'HK' },
      issuedOn: '2026-11-23',
      validUntil: '2031-11-23',
      certificateNumber: String(signed.id).slice(9).toUpperCase(),
      verifyCode: 'TD816-WCVQM',
      verifyUrl: 'https://tanda.example',
      qrPayload: qr.payload,
    };
    return view;
  };
  const oneCertificate = async () => renderCertificate(await prepare());
  const pdf = await oneCertificate();
  const sequential = await rate(oneCertificate, seconds);

  const pool = new RenderPool();
  try {
    const coldStart = performance.now();
    const firstViews = await Promise.all(Array.from({ length: pool.size }, prepare));
    await Promise.all(firstViews.map((view) => pool.render(view)));
    const startMs = performance.now() - coldStart;
    await cohortRate(prepare, pool, 0.2);
    return {
      'certificate.pipeline_per_s': sequential,
      'certificate.pipeline_parallel_per_s': await cohortRate(prepare, pool, seconds),
      'certificate.pool_threads': pool.size,
      'certificate.pool_start_ms': startMs,
      'certificate.pipeline_pdf_bytes': pdf.length,
    };
  } finally {
    await pool.close();
  }
}
