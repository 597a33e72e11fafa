import type { Executor } from '../db/database.js';
import { addYears, awardKind, type AwardKind } from '../awards/award-service.js';
import { TandaError } from '../errors.js';
import { getQualification } from '../frameworks/catalogue-repository.js';
import { listMappingTables } from '../frameworks/framework-repository.js';
import { aqrfLevelFor } from '../frameworks/mapping-rules.js';
import type { LocalizedText } from '../frameworks/types.js';
import { findIssuer } from '../issuers/issuers.js';
import { getIssuerProfile } from '../issuers/profile.js';
import { encodeCredentialQr } from '../qr/payload.js';
import { typeTableLoaderFromDb } from '../qr/type-table-repository.js';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import type { DocumentLoader } from '../jsonld/index.js';
import { holderNames } from '../credentials/build.js';
import type { CredentialService, StoredCredential } from '../credentials/service.js';
import { zipSync } from 'fflate';
import { RenderPool } from './render-pool.js';
import { renderCertificate, renderCertificates } from './render.js';
import { SECOND_LANGS, type CertificateView, type LocalisedText, type Paper, type SecondLang } from './view.js';

/** The national language printed beside English, by the issuing body's country. */
const LANG_BY_COUNTRY: Record<string, SecondLang> = {
  ID: 'id', PH: 'fil', TH: 'th', VN: 'vi', KH: 'km', LA: 'lo', MM: 'my', MY: 'ms', BN: 'ms', SG: 'ms',
};

const localised = (text: LocalizedText): LocalisedText => ({ ...text, en: text.en ?? Object.values(text)[0] ?? '' });

export interface CertificateOptions {
  paper?: Paper;
  lang?: SecondLang;
}

/** What printing needs (a narrow view of the composition root). */
export interface CertificateDeps {
  config: Pick<Config, 'publicUrl'>;
  db: Db;
  documentLoader: DocumentLoader;
  credentials: Pick<CredentialService, 'find'>;
}

/** What a certificate preview is made from: what certifying the case now would put in the credential. */
export interface CertificatePreviewInput {
  qualificationId: string;
  issuerId: string;
  /** The units assessed Competent. */
  unitIds: readonly string[];
  holderName: string;
  holderNameLatin?: string | undefined;
  printLang?: string | null | undefined;
  assessment: { centre?: string | null | undefined; country?: string | null | undefined; date?: string | null | undefined };
}

/** Everything a certificate shows, whether read back from an issued credential or made up for a preview. */
interface CertificateContent extends CertificatePreviewInput {
  kind: AwardKind;
  validFrom: string;
  validUntil?: string | undefined;
  certificateNumber: string;
  verifyCode: string;
  qrPayload: string;
}

/** Printed where an issued certificate has its number and check code. */
const PREVIEW_MARK = 'PREVIEW';
/** QR alphanumeric text: a scanner (ours included) reads a plain statement, never a credential. */
const PREVIEW_QR = 'TANDA CERTIFICATE PREVIEW - NOT VALID - NOT ISSUED';

/**
 * Builds what a printed certificate needs from the stored credential, its award record and the catalogue: the QR
 * payload is the signed credential itself (CBOR-LD), everything else is read back from what was signed.
 */
export class CertificateService {
  private renderPool: RenderPool | undefined;

  constructor(private readonly services: CertificateDeps) {}

  async qrPayload(stored: StoredCredential, executor: Executor = this.services.db.kysely): Promise<{ payload: string; version: number; bytes: number }> {
    const award = await executor.selectFrom('awards').select('registry_entry_id').where('credential_id', '=', stored.id).executeTakeFirst();
    return encodeCredentialQr(stored.document, {
      // Credentials issued through the plain VC API have no catalogue table: they encode without compression tables.
      registryEntryId: award ? Number(award.registry_entry_id) : 1,
      typeTableLoader: typeTableLoaderFromDb(executor),
      documentLoader: this.services.documentLoader,
    });
  }

  async view(stored: StoredCredential, options: CertificateOptions = {}): Promise<CertificateView> {
    const executor = this.services.db.kysely;
    const award = await executor.selectFrom('awards').selectAll().where('credential_id', '=', stored.id).executeTakeFirst();
    if (!award) throw new TandaError('not_found', 'this credential was not issued from the catalogue, so it has no printable certificate');
    const doc = stored.document;
    const names = holderNames(doc);
    const { payload } = await this.qrPayload(stored, executor);
    return this.compose(executor, {
      qualificationId: award.qualification_id,
      issuerId: stored.issuerId,
      kind: award.kind === 'full_qualification' ? 'full_qualification' : 'statement_of_attainment',
      unitIds: JSON.parse(award.unit_ids) as string[],
      holderName: names.name ?? '',
      holderNameLatin: names.nameLatin,
      printLang: award.print_lang,
      assessment: { centre: award.assessment_centre, country: award.assessment_country, date: award.assessment_date },
      validFrom: String(doc.validFrom ?? stored.createdAt),
      validUntil: typeof doc.validUntil === 'string' ? doc.validUntil : undefined,
      certificateNumber: stored.id.replace(/^urn:uuid:/, '').toUpperCase(),
      verifyCode: award.verify_code,
      qrPayload: payload,
    }, options);
  }

  /**
   * The certificate a case would get if certified now, for the officer to check before issuing: the same content
   * and template as `view`, from what certifying would sign, but marked PREVIEW across the page, with no
   * certificate number or check code, and a QR code that only says it is a preview. Nothing is signed or stored.
   */
  async previewPdf(input: CertificatePreviewInput, options: CertificateOptions = {}): Promise<Buffer> {
    const executor = this.services.db.kysely;
    const qualification = await getQualification(executor, input.qualificationId);
    if (!qualification) throw new TandaError('not_found', `no qualification ${input.qualificationId} in the catalogue`);
    const validFrom = new Date().toISOString();
    const view = await this.compose(executor, {
      ...input,
      kind: awardKind(qualification, new Set(input.unitIds)),
      validFrom,
      validUntil: qualification.validityYears ? addYears(validFrom, qualification.validityYears) : undefined,
      certificateNumber: PREVIEW_MARK,
      verifyCode: PREVIEW_MARK,
      qrPayload: PREVIEW_QR,
    }, options);
    return renderCertificate({ ...view, preview: true });
  }

  private async compose(executor: Executor, c: CertificateContent, options: CertificateOptions): Promise<CertificateView> {
    const qualification = await getQualification(executor, c.qualificationId);
    const issuer = await findIssuer(executor, c.issuerId);
    if (!qualification || !issuer) throw new TandaError('not_found', 'the qualification or certifying body of this credential is gone');
    const unitIds = new Set(c.unitIds);
    const mappings = await listMappingTables(executor, { frameworkId: qualification.frameworkId });
    const aqrf = aqrfLevelFor(mappings, qualification.frameworkId, qualification.nationalLevel, c.validFrom);
    const requested = options.lang ?? c.printLang ?? LANG_BY_COUNTRY[issuer.country] ?? 'id';
    const lang = (SECOND_LANGS as readonly string[]).includes(requested) ? (requested as SecondLang) : 'id';
    const profile = await getIssuerProfile(executor, issuer.id);
    const images = profile?.images ?? {};
    return {
      templateId: c.kind === 'full_qualification' ? 'full-qualification' : 'statement-of-attainment',
      paper: options.paper ?? (issuer.country === 'PH' ? 'Letter' : 'A4'),
      lang,
      holderName: c.holderName,
      ...(c.holderNameLatin ? { holderNameLatin: c.holderNameLatin } : {}),
      qualification: { code: qualification.code, title: localised(qualification.titles) },
      nationalLevel: { framework: qualification.frameworkAcronym, level: String(qualification.nationalLevel) },
      ...(aqrf ? { aqrfLevel: { level: aqrf.aqrfLevel, status: aqrf.table.status } } : {}),
      units: qualification.units.filter((u) => unitIds.has(u.unitId)).map((u) => ({ code: u.code, title: localised(u.titles) })),
      issuer: {
        name: issuer.name,
        country: issuer.country,
        ...(images.logo ? { logo: images.logo } : {}),
        ...(images.seal ? { seal: images.seal } : {}),
      },
      ...(profile
        ? { signatory: { name: profile.signatoryName, title: profile.signatoryTitle, ...(images.signature ? { signature: images.signature } : {}) } }
        : {}),
      assessment: {
        centre: c.assessment.centre ?? issuer.name,
        country: c.assessment.country ?? issuer.country,
        ...(c.assessment.date ? { date: c.assessment.date.slice(0, 10) } : {}),
      },
      issuedOn: c.validFrom.slice(0, 10),
      ...(c.validUntil ? { validUntil: c.validUntil.slice(0, 10) } : {}),
      certificateNumber: c.certificateNumber,
      verifyCode: c.verifyCode,
      verifyUrl: this.services.config.publicUrl,
      qrPayload: c.qrPayload,
    };
  }

  async pdf(stored: StoredCredential, options: CertificateOptions = {}): Promise<Buffer> {
    return renderCertificate(await this.view(stored, options));
  }

  /** A cohort in one PDF, one page per certificate. */
  async batchPdf(ids: readonly string[], options: CertificateOptions & { onProgress?: (done: number, total: number) => void } = {}): Promise<Buffer> {
    const views: CertificateView[] = [];
    for (const id of ids) {
      const stored = await this.services.credentials.find(id);
      if (!stored) throw new TandaError('not_found', `no credential ${id}`);
      views.push(await this.view(stored, options));
    }
    return renderCertificates(views, options.onProgress);
  }

  /**
   * A cohort as a zip of one PDF per certificate, rendered in parallel on the render pool while this thread reads
   * and encodes the next credentials. Separate documents because one multi-page PDF cannot be assembled from
   * separately rendered ones without a PDF-merging library. Entries keep the order of `ids`.
   */
  async batchZip(ids: readonly string[], options: CertificateOptions & { onProgress?: (done: number, total: number) => void } = {}): Promise<Uint8Array> {
    if (ids.length === 0) throw new TandaError('validation_failed', 'No certificates to render');
    const pool = (this.renderPool ??= new RenderPool());
    // Enough renders in flight to keep every worker busy while the next views are built, few enough to stay in memory.
    const window = pool.size * 2;
    const entries: Array<{ name: string; pdf?: Uint8Array }> = [];
    const inFlight = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    let done = 0;
    for (const [index, id] of ids.entries()) {
      if (failure) break;
      const stored = await this.services.credentials.find(id);
      if (!stored) throw new TandaError('not_found', `no credential ${id}`);
      const view = await this.view(stored, options);
      const entry: { name: string; pdf?: Uint8Array } = { name: `${String(index + 1).padStart(String(ids.length).length, '0')}-${view.certificateNumber}.pdf` };
      entries.push(entry);
      // Failures are recorded rather than left to reject, so renders still running after one fails are not unhandled.
      const task: Promise<void> = pool.render(view).then(
        (pdf) => {
          entry.pdf = pdf;
          done += 1;
          options.onProgress?.(done, ids.length);
        },
        (error: unknown) => {
          failure ??= { error };
        },
      ).finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= window) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure) throw failure.error;
    // PDF streams are already deflated: storing them (level 0) saves a second compression pass for nothing.
    return zipSync(Object.fromEntries(entries.map((e) => [e.name, e.pdf!])), { level: 0 });
  }

  /** Certificates waiting for a free render worker (0 when the pool has not started). */
  get renderQueue(): number {
    return this.renderPool?.queued ?? 0;
  }

  /** Stops the render pool's worker threads; the next batchZip starts a new pool. */
  async close(): Promise<void> {
    const pool = this.renderPool;
    this.renderPool = undefined;
    await pool?.close();
  }

  /** The credential behind a short code printed on a certificate, for the online check. */
  async byVerifyCode(code: string): Promise<StoredCredential | undefined> {
    const normalised = code.toUpperCase().replace(/[^0-9A-Z]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
    if (normalised.length !== 10) return undefined;
    const row = await this.services.db.kysely
      .selectFrom('awards')
      .select('credential_id')
      .where('verify_code', '=', `${normalised.slice(0, 5)}-${normalised.slice(5)}`)
      .executeTakeFirst();
    return row ? this.services.credentials.find(row.credential_id) : undefined;
  }
}
