import type { Executor } from '../db/database.js';
import { listAccreditations, listAssessmentCentres } from '../frameworks/accreditation-repository.js';
import { buildAlignments, pickText } from '../frameworks/alignments.js';
import { listAllQualifications } from '../frameworks/catalogue-repository.js';
import { listMappingTables } from '../frameworks/framework-repository.js';
import { scopeCovers } from '../frameworks/scope.js';
import type { Accreditation, MappingTable, Qualification } from '../frameworks/types.js';
import { CODE_LIST_STRINGS } from '../qr/table-source.js';
import { addTypeTableVersion, latestTypeTables, type StoredTypeTable } from '../qr/type-table-repository.js';
import { normalizeTypeTableSource, type TypeTableSource } from '../qr/type-table.js';
import { OB_V3, TANDA_V1, VC_V2 } from '../jsonld/urls.js';
import { allMethodWordings, evidencePlace } from './evidence-wording.js';

/**
 * QR type tables published by the registry, not by the first certificate (issue 13).
 *
 * A qualification's table must name what its credentials carry: the signing body's DID, its current key and the
 * award status list its entry is in. If the first certificate created the table, every verifier said CANNOT CHECK
 * YET until it refreshed. So the tables follow the registry instead: whenever something a certificate will carry
 * enters it — a qualification into the catalogue, an accreditation, a key (rotation, compromise), an assessment
 * centre, a mapping table — `publishTypeTables` writes, for every qualification some body is (or will be) accredited
 * for, a new table version if the newest one lacks anything, and the trust bundle is rebuilt at once because a table
 * was added (trust/service.ts). A verifier that refreshed after the registry change decodes the first certificate.
 *
 * One table per qualification names every body accredited for it (DID, current key, open award lists): the `url`
 * and `none` ids are CBOR byte strings of the same size for any id below 256, so sharing a table costs nothing per
 * credential, and a body accredited for a sector does not multiply tables by bodies. Evidence wording is made of
 * registered parts (evidence-wording.ts), so it never needs a new version.
 */

/** Opens (and signs) a body's award status list when it has none, so its URL is in the table before the first award. */
export type AwardListOpener = (tx: Executor, issuerId: string) => Promise<string>;

export interface PublishOptions {
  /** Limit to these qualifications (default: every qualification some accreditation covers). */
  qualificationIds?: readonly string[];
  /** Limit to the qualifications these bodies are accredited for (a change of one body: its key, centre, scope). */
  issuerIds?: readonly string[];
  /** URLs the table must hold in any case (a credential being signed now: its DID, key and status list). */
  extraUrls?: readonly string[];
  now?: Date;
}

interface BodyUrls {
  issuerId: string;
  urls: string[];
  places: string[];
}

/** The criteria narrative of a full award and of a statement of attainment (issueAward writes one of them). */
export const AWARD_CRITERIA = {
  full_qualification: 'Assessed competent in every core unit of the qualification through Recognition of Prior Learning.',
  statement_of_attainment: 'Assessed competent in the units listed through Recognition of Prior Learning.',
} as const;

/** The accreditations that still matter: in force now or later (a table is published ahead of the first day). */
const notEnded = (a: Accreditation, now: string) => a.validUntil === null || a.validUntil > now;

/**
 * Publishes a new table version for each qualification whose newest table lacks something the registry now says
 * its credentials will carry; returns the registry entry ids written. Idempotent: a second call writes nothing.
 * `openAwardList` (the status service) opens an award list for an accredited body that has none; without it such a
 * body's table lacks a list URL until one is opened.
 */
export async function publishTypeTables(tx: Executor, openAwardList: AwardListOpener | undefined, options: PublishOptions = {}): Promise<number[]> {
  const now = (options.now ?? new Date()).toISOString();
  const accreditations = (await listAccreditations(tx)).filter((a) => notEnded(a, now));
  const wanted = options.qualificationIds ? new Set(options.qualificationIds) : undefined;
  const qualifications = (await listAllQualifications(tx)).filter((q) => !wanted || wanted.has(q.id));
  const covering = new Map<string, Set<string>>();
  const changed = options.issuerIds ? new Set(options.issuerIds) : undefined;
  for (const q of qualifications) {
    const bodies = new Set(accreditations.filter((a) => scopeCovers(a, q)).map((a) => a.issuerId));
    if (changed && ![...bodies].some((b) => changed.has(b))) continue;
    if (bodies.size > 0 || wanted) covering.set(q.id, bodies);
  }
  if (covering.size === 0) return [];

  const bodyIds = [...new Set([...covering.values()].flatMap((s) => [...s]))].sort();
  const bodies = new Map<string, BodyUrls>();
  for (const issuerId of bodyIds) bodies.set(issuerId, await bodyUrls(tx, issuerId, openAwardList));
  const mappings = new Map<string, MappingTable[]>();
  const latest = await latestTypeTables(tx, [...covering.keys()]);

  const written: number[] = [];
  for (const q of qualifications) {
    const bodySet = covering.get(q.id);
    if (!bodySet) continue;
    if (!mappings.has(q.frameworkId)) mappings.set(q.frameworkId, await listMappingTables(tx, { frameworkId: q.frameworkId }));
    const source = registryTableSource(q, [...bodySet].sort().map((id) => bodies.get(id)!), mappings.get(q.frameworkId)!, now, options.extraUrls ?? []);
    const newest = latest.get(q.id);
    if (newest && covers(newest, source)) continue;
    written.push((await addTypeTableVersion(tx, q.id, source)).registryEntryId);
  }
  return written;
}

/** A body's DID, current key and open award list URLs (opening one if it has none and an opener is given). */
async function bodyUrls(tx: Executor, issuerId: string, openAwardList: AwardListOpener | undefined): Promise<BodyUrls> {
  const issuer = await tx.selectFrom('issuers').select(['did', 'country']).where('id', '=', issuerId).executeTakeFirstOrThrow();
  const keys = await tx.selectFrom('issuer_keys').select('verification_method').where('issuer_id', '=', issuerId).where('status', '=', 'current').execute();
  const open = await tx
    .selectFrom('status_lists')
    .select('id')
    .where('issuer_id', '=', issuerId)
    .where('issuer_did', '=', issuer.did)
    .where('kind', '=', 'award')
    .where('filled_at', 'is', null)
    .orderBy('created_at')
    .execute();
  const listUrls =
    open.length === 0 && openAwardList && keys.length > 0 ? [await openAwardList(tx, issuerId)] : await listUrlsOf(tx, open.map((l) => l.id));
  const centres = await listAssessmentCentres(tx, { issuerId });
  const places = [
    evidencePlace(),
    evidencePlace(issuer.country),
    ...centres.flatMap((c) => [evidencePlace(c.city, c.country), evidencePlace(c.country)]),
  ];
  return { issuerId, urls: [issuer.did, ...keys.map((k) => k.verification_method), ...listUrls], places };
}

/** The stored URL of each list: the list credential's own `id` (the public URL it was signed under). */
async function listUrlsOf(tx: Executor, listIds: string[]): Promise<string[]> {
  if (listIds.length === 0) return [];
  const rows = await tx.selectFrom('status_lists').select(['id', 'credential']).where('id', 'in', listIds).execute();
  const byId = new Map(rows.map((r) => [r.id, String((JSON.parse(r.credential) as { id?: unknown }).id ?? '')]));
  return listIds.map((id) => byId.get(id)!).filter((u) => u !== '');
}

/**
 * What a qualification's credentials will carry, from the registry alone. Order sets ids, and only the anyURI ids
 * (level and unit URLs, CBOR integers) are cheaper below 24; `url` and `none` ids are byte strings of one size
 * below 256, so code lists and titles come first and the rarer evidence wording last.
 */
export function registryTableSource(q: Qualification, bodies: readonly BodyUrls[], mappings: readonly MappingTable[], now: string, extraUrls: readonly string[] = []): TypeTableSource {
  // The AQRF level in force now, and under each mapping table still to come into force.
  const dates = [now, ...mappings.map((m) => m.validFrom).filter((d) => d > now)];
  const levels = dates.flatMap((date) => buildAlignments(q, { date, mappings, achievedUnitIds: [] }).filter((a) => a.targetFramework !== undefined));
  return {
    contexts: [VC_V2, OB_V3, TANDA_V1],
    urls: [...bodies.flatMap((b) => b.urls), ...extraUrls, q.id],
    anyUris: [...levels.map((l) => l.targetUrl), ...q.units.map((u) => u.unitId)],
    strings: [
      ...CODE_LIST_STRINGS,
      ...levels.flatMap((l) => [l.targetFramework!, l.targetCode!, l.targetName]),
      pickText(q.titles),
      pickText(q.descriptions ?? q.titles),
      ...Object.values(AWARD_CRITERIA),
      ...q.units.map((u) => pickText(u.titles)),
      ...allMethodWordings(),
      ...bodies.flatMap((b) => b.places),
    ],
  };
}

/** The newest table already holds every value (in any position): a new version would change no credential's size. */
function covers(table: StoredTypeTable, source: TypeTableSource): boolean {
  const have = normalizeTypeTableSource(table.source);
  const want = normalizeTypeTableSource(source);
  const all = (need: string[], got: string[]) => {
    const set = new Set(got);
    return need.every((v) => set.has(v));
  };
  return (
    all(want.contexts, have.contexts) &&
    all(want.urls, have.urls) &&
    all(want.anyUris, have.anyUris) &&
    all(want.strings, have.strings) &&
    all(want.cryptosuites, have.cryptosuites)
  );
}
