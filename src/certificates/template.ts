import { readFileSync } from 'node:fs';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { TandaError } from '../errors.js';
import { LANGS, type TemplateId } from './view.js';

/**
 * Certificate templates are data (templates/<id>/template.json): page layouts in millimetres for A4 and US Letter,
 * the blocks in reading order (which is also the order of the PDF structure tree), and every label in each language.
 */

const Labels = Type.Object(Object.fromEntries(LANGS.map((l) => [l, Type.String({ minLength: 1 })])) as unknown as Record<(typeof LANGS)[number], TSchema>);

const LABEL_KEYS = [
  'heading',
  'certifies',
  'awarded',
  'qualificationCode',
  'nationalLevel',
  'aqrfLevel',
  'provisional',
  'units',
  'assessmentCentre',
  'assessmentDate',
  'issuedOn',
  'validUntil',
  'certificateNumber',
  'verifyCode',
  'verifyCaption',
  'qrAlt',
] as const;
export type LabelKey = (typeof LABEL_KEYS)[number];

const Box = Type.Object({ x: Type.Number(), y: Type.Number(), w: Type.Number({ exclusiveMinimum: 0 }), h: Type.Number({ exclusiveMinimum: 0 }) });
export type Box = Static<typeof Box>;

const Style = Type.Object({
  size: Type.Number({ exclusiveMinimum: 0 }),
  minSize: Type.Number({ exclusiveMinimum: 0 }),
  weight: Type.Union([Type.Literal('regular'), Type.Literal('bold')]),
  align: Type.Optional(Type.Union([Type.Literal('left'), Type.Literal('center'), Type.Literal('right')])),
  color: Type.Optional(Type.String()),
  /** Colour of secondary text: the national-language line, small labels. */
  mutedColor: Type.Optional(Type.String()),
  maxLines: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type BlockStyle = Static<typeof Style>;

export const TEXT_FIELDS = [
  'issuer',
  'heading',
  'certifies',
  'holderName',
  'holderNameLatin',
  'awarded',
  'qualification',
  'levels',
  'units',
  'details',
  'signatory',
  'qrCaption',
] as const;
export type TextField = (typeof TEXT_FIELDS)[number];

const TextBlock = Type.Object({
  field: Type.Union(TEXT_FIELDS.map((f) => Type.Literal(f))),
  box: Box,
  style: Style,
  /**
   * Consecutive `flow` blocks share the space from the first one's top to the last one's bottom: each is fitted in
   * its own box, then they are stacked with equal gaps (at most `flowGap` mm), so a certificate with few units still
   * fills its page instead of leaving the space under the list empty.
   */
  flow: Type.Optional(Type.Boolean()),
});
export type TextBlockSpec = Static<typeof TextBlock>;
const QrBlock = Type.Object({
  field: Type.Literal('qr'),
  /** Side of the square including the quiet zone; the renderer enforces 40–50 mm and ≥ 10 mm from the edges. */
  box: Type.Object({ x: Type.Number(), y: Type.Number(), size: Type.Number({ minimum: 40, maximum: 50 }) }),
});
const ImageBlock = Type.Object({
  field: Type.Union([Type.Literal('logo'), Type.Literal('seal'), Type.Literal('signature')]),
  box: Box,
});
export type ImageField = 'logo' | 'seal' | 'signature';
const Block = Type.Union([TextBlock, QrBlock, ImageBlock]);

const Layout = Type.Object({
  /** Page size in mm. */
  page: Type.Object({ width: Type.Number(), height: Type.Number() }),
  /** Decorative double border (drawn as an artifact), inset from the page edge in mm. */
  frame: Type.Optional(Type.Object({ inset: Type.Number(), color: Type.String() })),
  /** Largest gap between flow blocks, mm; what is left over is split above and below the group. */
  flowGap: Type.Optional(Type.Number({ minimum: 0 })),
  blocks: Type.Array(Block),
});
export type TemplateLayout = Static<typeof Layout>;

const Template = Type.Object({
  id: Type.String(),
  /** Per language: who wrote the labels and whether a native speaker has reviewed them. */
  reviewStatus: Type.Object(Object.fromEntries(LANGS.map((l) => [l, Type.String()])) as unknown as Record<(typeof LANGS)[number], TSchema>),
  /**
   * Fallback images for the logo and seal slots, relative to the template's folder, for bodies whose profile has
   * none; a slot with neither stays empty.
   */
  images: Type.Object({ logo: Type.Optional(Type.String()), seal: Type.Optional(Type.String()) }),
  labels: Type.Object(Object.fromEntries(LABEL_KEYS.map((k) => [k, Labels])) as Record<LabelKey, typeof Labels>),
  layouts: Type.Object({ A4: Layout, Letter: Layout }),
});

export interface CertificateTemplate {
  id: string;
  images: { logo?: string; seal?: string };
  labels: Record<LabelKey, Record<(typeof LANGS)[number], string>>;
  layouts: { A4: TemplateLayout; Letter: TemplateLayout };
  /** Folder the template was read from (image paths resolve against it). */
  dir: URL;
}

export const TEMPLATES_DIR = new URL('../../templates/', import.meta.url);

const cache = new Map<string, CertificateTemplate>();

/** Reads and validates a template once per process. */
export function loadTemplate(id: TemplateId, templatesDir: URL = TEMPLATES_DIR): CertificateTemplate {
  const dir = new URL(`${id}/`, templatesDir);
  const cached = cache.get(dir.href);
  if (cached) return cached;
  const raw: unknown = JSON.parse(readFileSync(new URL('template.json', dir), 'utf8'));
  if (!Value.Check(Template, raw)) {
    const first = Value.Errors(Template, raw).First();
    throw new TandaError('invalid_config', `Certificate template ${id} is invalid at ${first?.path ?? '/'}: ${first?.message ?? ''}`);
  }
  const parsed = raw as Static<typeof Template>;
  if (parsed.id !== id) throw new TandaError('invalid_config', `templates/${id}/template.json declares id ${parsed.id}`);
  const template: CertificateTemplate = {
    id: parsed.id,
    images: parsed.images,
    labels: parsed.labels as CertificateTemplate['labels'],
    layouts: parsed.layouts,
    dir,
  };
  cache.set(dir.href, template);
  return template;
}
