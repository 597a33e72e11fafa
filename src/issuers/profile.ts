import { loadImage } from '@napi-rs/canvas';
import PDFDocument from 'pdfkit';
import type { Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { TandaError } from '../errors.js';
import type { IssuerProfilesTable } from './profile-tables.js';

/**
 * A certifying body's certificate profile: logo, seal, signatory name and title, signature image. The templates
 * print them (src/certificates/certificate-page.ts); who may set them is the policy's `manage_profile` on a body.
 */

export const PROFILE_IMAGES = ['logo', 'seal', 'signature'] as const;
export type ProfileImageSlot = (typeof PROFILE_IMAGES)[number];

/** A printed logo or seal is ~25 mm: 512 KiB holds a 600-dpi PNG of that, and keeps every page small. */
export const PROFILE_IMAGE_MAX_BYTES = 512 * 1024;
const MIN_SIDE_PX = 32;
const MAX_SIDE_PX = 4096;

export interface ProfileImage {
  type: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
  bytes: number;
}

export interface IssuerProfile {
  issuerId: string;
  signatoryName: string;
  signatoryTitle: string;
  /** Image bytes as stored; absent when the body has none. */
  images: Partial<Record<ProfileImageSlot, Uint8Array>>;
  updatedAt: string;
}

export interface IssuerProfileInput {
  signatoryName: string;
  signatoryTitle: string;
  /** New image bytes; null removes the image; absent keeps the stored one. */
  logo?: Uint8Array | null | undefined;
  seal?: Uint8Array | null | undefined;
  signature?: Uint8Array | null | undefined;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const startsWith = (bytes: Uint8Array, prefix: readonly number[]) => prefix.every((b, i) => bytes[i] === b);

/** The format by its signature bytes: a file named .png that is not one is refused before any decoder sees it. */
export function imageType(bytes: Uint8Array): ProfileImage['type'] | undefined {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  return undefined;
}

/**
 * Checks an image by its content: PNG or JPEG signature, at most PROFILE_IMAGE_MAX_BYTES, fully decodable (Skia,
 * through @napi-rs/canvas), 32–4096 px a side, and embeddable by pdfkit, the library that will print it (which
 * refuses some PNGs a browser shows, e.g. interlaced ones).
 */
export async function checkProfileImage(slot: ProfileImageSlot, bytes: Uint8Array): Promise<ProfileImage> {
  if (bytes.length === 0) throw new TandaError('invalid_image', `the ${slot} image is empty`);
  if (bytes.length > PROFILE_IMAGE_MAX_BYTES) {
    throw new TandaError('image_too_large', `the ${slot} image is ${bytes.length} bytes; at most ${PROFILE_IMAGE_MAX_BYTES} are accepted`);
  }
  const type = imageType(bytes);
  if (!type) throw new TandaError('invalid_image', `the ${slot} image is not a PNG or JPEG file`);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width: number;
  let height: number;
  try {
    ({ width, height } = await loadImage(buffer));
  } catch (e) {
    throw new TandaError('invalid_image', `the ${slot} image cannot be decoded`, { cause: e });
  }
  if (Math.min(width, height) < MIN_SIDE_PX || Math.max(width, height) > MAX_SIDE_PX) {
    throw new TandaError('invalid_image', `the ${slot} image is ${width}×${height} px; each side must be ${MIN_SIDE_PX}–${MAX_SIDE_PX} px`);
  }
  try {
    await embedOnce(buffer);
  } catch (e) {
    throw new TandaError('invalid_image', `the ${slot} image cannot be printed (${(e as Error).message})`, { cause: e });
  }
  return { type, width, height, bytes: bytes.length };
}

function embedOnce(image: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: [72, 72], margin: 0 });
    doc.on('error', reject);
    doc.on('end', () => resolve());
    doc.on('data', () => undefined);
    try {
      doc.image(image, 0, 0, { fit: [72, 72] });
      doc.end();
    } catch (e) {
      reject(e as Error);
    }
  });
}

const toBytes = (base64: string | null): Uint8Array | undefined => (base64 === null ? undefined : new Uint8Array(Buffer.from(base64, 'base64')));

function toProfile(row: IssuerProfilesTable): IssuerProfile {
  const images: IssuerProfile['images'] = {};
  for (const slot of PROFILE_IMAGES) {
    const bytes = toBytes(row[slot]);
    if (bytes) images[slot] = bytes;
  }
  return { issuerId: row.issuer_id, signatoryName: row.signatory_name, signatoryTitle: row.signatory_title, images, updatedAt: row.updated_at };
}

export async function getIssuerProfile(executor: Executor, issuerId: string): Promise<IssuerProfile | undefined> {
  const row = await executor.selectFrom('issuer_profiles').selectAll().where('issuer_id', '=', issuerId).executeTakeFirst();
  return row ? toProfile(row) : undefined;
}

const trimmed = (label: string, value: string, max: number): string => {
  const v = value.normalize('NFC').trim();
  if (!v || v.length > max) throw new TandaError('validation_failed', `${label} must be 1–${max} characters`);
  return v;
};

/**
 * Sets a body's profile (the caller has asked the policy). Every image given is checked before anything is
 * written; images not given keep their stored value.
 */
export async function setIssuerProfile(executor: Executor, issuerId: string, input: IssuerProfileInput, updatedBy: string): Promise<IssuerProfile> {
  const issuer = await executor.selectFrom('issuers').select('id').where('id', '=', issuerId).executeTakeFirst();
  if (!issuer) throw new TandaError('not_found', `no certifying body ${issuerId}`);
  const names = { signatory_name: trimmed('signatoryName', input.signatoryName, 120), signatory_title: trimmed('signatoryTitle', input.signatoryTitle, 160) };
  const images: Partial<Record<ProfileImageSlot, string | null>> = {};
  for (const slot of PROFILE_IMAGES) {
    const value = input[slot];
    if (value === undefined) continue;
    if (value === null) images[slot] = null;
    else {
      await checkProfileImage(slot, value);
      images[slot] = Buffer.from(value).toString('base64');
    }
  }
  const row = { ...names, ...images, updated_by: updatedBy, updated_at: nowIso() };
  // One statement, so two administrators saving at once cannot collide on the primary key.
  await executor
    .insertInto('issuer_profiles')
    .values({ issuer_id: issuerId, logo: null, seal: null, signature: null, ...row })
    .onConflict((oc) => oc.column('issuer_id').doUpdateSet(row))
    .execute();
  return (await getIssuerProfile(executor, issuerId))!;
}

/** What the profile route shows of a stored profile: names and each image's format and size, not the bytes. */
export async function describeProfile(profile: IssuerProfile): Promise<{
  issuerId: string;
  signatoryName: string;
  signatoryTitle: string;
  images: Record<ProfileImageSlot, ProfileImage | null>;
  updatedAt: string;
}> {
  const images = {} as Record<ProfileImageSlot, ProfileImage | null>;
  for (const slot of PROFILE_IMAGES) {
    const bytes = profile.images[slot];
    if (!bytes) images[slot] = null;
    else {
      const { width, height } = await loadImage(Buffer.from(bytes));
      images[slot] = { type: imageType(bytes)!, width, height, bytes: bytes.length };
    }
  }
  return { issuerId: profile.issuerId, signatoryName: profile.signatoryName, signatoryTitle: profile.signatoryTitle, images, updatedAt: profile.updatedAt };
}
