import crypto from 'node:crypto';
import { renderCertificate } from '../src/certificates/render.js';
import type { CertificateView } from '../src/certificates/view.js';
import { nodeDocumentLoader } from '../src/jsonld/index.js';
import { encodeCredentialQr } from '../src/qr/payload.js';
import { typeTableLoaderFrom } from '../src/qr/type-table.js';
import { catalogue, leanCredential, tableSourceFor, testIssuer } from '../tests/qr/fixtures.js';
import { rate } from './measure.js';

/**
 * A complete certificate as `issue` + print does it: sign the typical credential (30-character name, 6 units, both
 * levels, status entry, proof), encode it as the CBOR-LD QR payload, render the tagged bilingual PDF.
 */
export async function benchCertificatePipeline(seconds = 4): Promise<Record<string, number>> {
  const documentLoader = nodeDocumentLoader();
  const issuer = await testIssuer();
  const typeTableLoader = typeTableLoaderFrom([{ registryEntryId: 100, source: tableSourceFor(6, issuer.did) }]);
  const base = leanCredential(6, issuer.did);
  const c = catalogue(6, issuer.did);

  const oneCertificate = async () => {
    const signed = await issuer.sign({ ...base, id: `urn:uuid:${crypto.randomUUID()}` }, documentLoader);
    const qr = await encodeCredentialQr(signed, { registryEntryId: 100, typeTableLoader, documentLoader });
    const view: CertificateView = {
      templateId: 'full-qualification',
      paper: 'A4',
      lang: 'id',
      holderName: 'Siti Rahmawati Putri Handayani',
      qualification: { code: c.qualification.humanCode, title: { en: c.qualification.name, id: 'Tata Graha — Petugas Kamar' } },
      nationalLevel: { framework: 'KKNI', level: '2' },
      aqrfLevel: { level: 2, status: 'provisional' },
      units: c.units.map((u, i) => ({ code: `D1.HHK.CL3.${String(i + 1).padStart(2, '0')}`, title: { en: u.title } })),
      issuer: { name: c.issuer.name, country: 'ID' },
      assessment: { centre: 'TUK Sewaktu Hong Kong', country: 'HK' },
      issuedOn: '2026-11-23',
      validUntil: '2031-11-23',
      certificateNumber: String(signed.id).slice(9).toUpperCase(),
      verifyCode: 'TD816-WCVQM',
      verifyUrl: 'https://tanda.example',
      qrPayload: qr.payload,
    };
    return renderCertificate(view);
  };
  const pdf = await oneCertificate();
  return {
    'certificate.pipeline_per_s': await rate(oneCertificate, seconds),
    'certificate.pipeline_pdf_bytes': pdf.length,
  };
}
