import { renderCertificate } from '../src/certificates/render.js';
import type { CertificateView } from '../src/certificates/view.js';
import { demoLogo, demoSeal, demoSignature } from '../src/demo/profile-images.js';
import { samplePayload } from '../tests/certificates/fixtures/views.js';
import { rate } from './measure.js';

/**
 * PDF rendering alone, for a typical certificate: a 30-character Thai name with its Latin transliteration, six units,
 * national and (provisional) AQRF level, a 630-character QR payload (version 16 at ECC M). Thai is the common case
 * that needs a script font beside Noto Sans, so four font subsets are embedded.
 */
export async function benchCertificates(seconds = 4): Promise<Record<string, number>> {
  const view: CertificateView = {
    templateId: 'full-qualification',
    paper: 'A4',
    lang: 'th',
    holderName: 'นางสาวสมหญิง ใจดีมากมายเหลือเกิน',
    holderNameLatin: 'Somying Jaidimakmai Lueakoen',
    qualification: { code: 'TRS512322', title: { en: 'Housekeeping', th: 'พนักงานทำความสะอาดห้องพักโรงแรม' } },
    nationalLevel: { framework: 'TQF', level: '3' },
    aqrfLevel: { level: 3, status: 'provisional' },
    units: [
      { code: 'TRS512328', title: { en: 'Provide housekeeping services to guests', th: 'ให้บริการแม่บ้านแก่แขก' } },
      { code: 'TRS512329', title: { en: 'Clean and prepare rooms for incoming guests' } },
      { code: 'TRS512330', title: { en: 'Provide valet and butler service' } },
      { code: 'D1.HHK.CL3.03', title: { en: 'Launder linen and guest clothes', th: 'ซักรีดผ้าปูและเสื้อผ้าของแขก' } },
      { code: 'D1.HOT.CL2.02', title: { en: 'Maintain hospitality industry knowledge' } },
      { code: 'D1.HGE.CL1.06', title: { en: 'Perform workplace health, safety and security procedures' } },
    ],
    issuer: { name: 'สถาบันคุณวุฒิวิชาชีพ (องค์การมหาชน)', country: 'TH' },
    assessment: { centre: 'ศูนย์ประเมินสมรรถนะบุคคล กรุงเทพมหานคร', country: 'HK', date: '2026-11-02' },
    issuedOn: '2026-11-20',
    validUntil: '2031-11-19',
    certificateNumber: 'TANDA-TH-2026-000142',
    verifyCode: 'K7QM-4TXD-9P',
    verifyUrl: 'https://tanda.example.org',
    qrPayload: samplePayload(630),
  };
  let serial = 0;
  // A different certificate number each time, as in a cohort, so nothing is served from a whole-page cache.
  const render = () => renderCertificate({ ...view, certificateNumber: `TANDA-TH-2026-${String(serial++).padStart(6, '0')}` });
  const pdf = await render();
  // The same certificate with the body's profile (logo, seal, signatory and signature), as issued bodies print it.
  const profiled: CertificateView = {
    ...view,
    issuer: { ...view.issuer, logo: demoLogo('TP'), seal: demoSeal() },
    signatory: { name: 'Somchai Prasert', title: 'Director', signature: demoSignature(2) },
  };
  const renderProfiled = () => renderCertificate({ ...profiled, certificateNumber: `TANDA-TH-2026-${String(serial++).padStart(6, '0')}` });
  const profiledPdf = await renderProfiled();
  return {
    'certificate.render_per_s': await rate(render, seconds),
    'certificate.pdf_bytes': pdf.length,
    'certificate.render_with_profile_per_s': await rate(renderProfiled, seconds),
    'certificate.pdf_with_profile_bytes': profiledPdf.length,
  };
}
