/**
 * What a printed certificate shows, already resolved from the credential and the catalogue by the caller, so the
 * renderer depends on nothing but this shape and the QR payload text.
 */

/** The issuer's national language, printed second; English is always printed first. */
export const SECOND_LANGS = ['id', 'fil', 'th', 'vi', 'km', 'lo', 'my', 'ms'] as const;
export type SecondLang = (typeof SECOND_LANGS)[number];

export const LANGS = ['en', ...SECOND_LANGS] as const;
export type Lang = (typeof LANGS)[number];

export const TEMPLATE_IDS = ['full-qualification', 'statement-of-attainment'] as const;
export type TemplateId = (typeof TEMPLATE_IDS)[number];

export const PAPERS = ['A4', 'Letter'] as const;
export type Paper = (typeof PAPERS)[number];

/** A title in English and, where the catalogue has it, other languages. */
export type LocalisedText = Partial<Record<Lang, string>> & { en: string };

export interface CertificateView {
  templateId: TemplateId;
  paper: Paper;
  lang: SecondLang;
  /** The name as on the holder's ID, in any script. */
  holderName: string;
  /** Latin transliteration, printed under a non-Latin name (signed in the credential too). */
  holderNameLatin?: string;
  qualification: { code: string; title: LocalisedText };
  nationalLevel: { framework: string; level: string; title?: string };
  /** Only when the registry maps the national level to AQRF; provisional mappings are marked as such. */
  aqrfLevel?: { level: number; status: 'official' | 'provisional' };
  /** Units achieved; Not Yet Competent units are never printed. */
  units: Array<{ code: string; title: LocalisedText }>;
  /**
   * `country`: ISO 3166-1 alpha-2 code (printed as the country's name in both languages) or a name. `logo` and
   * `seal`: PNG or JPEG bytes from the body's profile (src/issuers/profile.ts), already validated.
   */
  issuer: { name: string; country: string; logo?: Uint8Array; seal?: Uint8Array };
  /** Who signs for the body, from its profile: printed under the signature image with a rule above the name. */
  signatory?: { name: string; title: string; signature?: Uint8Array };
  assessment: { centre: string; country: string; date?: string };
  /** ISO 8601 dates (YYYY-MM-DD), printed as such: unambiguous in every language. */
  issuedOn: string;
  validUntil?: string;
  certificateNumber: string;
  /** Short human-readable code for the online check. */
  verifyCode: string;
  /** Base URL of the Tanda deployment; the verifier lives at `${verifyUrl}/verify`. */
  verifyUrl: string;
  /** QR alphanumeric text such as vpqr's `VP1-R…`, printed as one QR code at ECC M. */
  qrPayload: string;
  /** Not a certificate: a preview before issuing, marked as such across the page. */
  preview?: boolean;
}
