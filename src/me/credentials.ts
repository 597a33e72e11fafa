import type { Actor } from '../policy/policy.js';
import { authorize } from '../policy/policy.js';
import { credentialScope, whereCredentialInScope } from '../policy/scope.js';
import type { Services } from '../services.js';
import { TandaError } from '../errors.js';
import type { StoredCredential } from '../credentials/service.js';
import type { RevocationReason, ReissueKind } from '../status/tables.js';

/**
 * What the returnee's own pages show of each credential they hold: the certificate's facts (the same view the
 * printer uses), its status in words the holder may see (the revocation reason, never the staff note), and what
 * replaced it or what it replaced after a name correction.
 */
export interface CredentialCard {
  id: string;
  qualification: { code: string; title: string };
  kind: 'full_qualification' | 'statement_of_attainment' | 'other';
  units: Array<{ code: string; title: string }>;
  nationalLevel: { framework: string; level: string };
  aqrfLevel: { level: number; status: 'official' | 'provisional' } | null;
  issuer: { name: string; country: string };
  holderName: string;
  issuedOn: string;
  validUntil: string | null;
  verifyCode: string;
  state: 'active' | 'revoked' | 'replaced';
  revocation: { reason: RevocationReason; revokedAt: string } | null;
  replacedBy: { id: string; kind: ReissueKind; at: string } | null;
  replaces: { id: string; kind: ReissueKind; at: string } | null;
  /** The QR code's text (the signed credential, compressed): the page caches it for showing offline. */
  qrPayload: string;
}

type CardServices = Pick<Services, 'db' | 'credentials' | 'certificates' | 'status'>;

export async function credentialCard(services: CardServices, stored: StoredCredential): Promise<CredentialCard> {
  const [view, history, award, qr] = await Promise.all([
    services.certificates.view(stored),
    services.status.history(stored.id),
    services.db.kysely.selectFrom('awards').select('kind').where('credential_id', '=', stored.id).executeTakeFirst(),
    services.certificates.qrPayload(stored),
  ]);
  const revocation = history?.revocation ?? null;
  const replacedBy = history?.replacedBy ?? null;
  return {
    id: stored.id,
    qualification: { code: view.qualification.code, title: view.qualification.title.en },
    kind: award?.kind ?? 'other',
    units: view.units.map((u) => ({ code: u.code, title: u.title.en })),
    nationalLevel: { framework: view.nationalLevel.framework, level: view.nationalLevel.level },
    aqrfLevel: view.aqrfLevel ?? null,
    issuer: { name: view.issuer.name, country: view.issuer.country },
    holderName: view.holderName,
    issuedOn: view.issuedOn,
    validUntil: view.validUntil ?? null,
    verifyCode: view.verifyCode,
    state: replacedBy ? 'replaced' : revocation ? 'revoked' : 'active',
    revocation: revocation ? { reason: revocation.reason, revokedAt: revocation.revokedAt } : null,
    replacedBy,
    replaces: history?.replaces ?? null,
    qrPayload: qr.payload,
  };
}

/** Every credential the caller holds (the policy's scope as SQL), newest first. */
export async function ownCredentials(services: CardServices, actor: Actor): Promise<CredentialCard[]> {
  authorize(actor, 'use', { kind: 'returnee_space', userId: actor.id });
  const rows = await services.db.kysely
    .selectFrom('credentials')
    .innerJoin('awards', 'awards.credential_id', 'credentials.id')
    .select('credentials.id')
    .where(whereCredentialInScope(credentialScope(actor)))
    .orderBy('credentials.created_at', 'desc')
    .execute();
  const cards: CredentialCard[] = [];
  for (const r of rows) cards.push(await credentialCard(services, (await services.credentials.find(r.id))!));
  return cards;
}

/** One credential of the caller's, if the policy lets them read it; anyone else's is "not found". */
export async function ownCredential(services: CardServices, actor: Actor, id: string): Promise<StoredCredential> {
  authorize(actor, 'use', { kind: 'returnee_space', userId: actor.id });
  const stored = (await services.credentials.find(id)) ?? (await services.credentials.find(`urn:uuid:${id}`));
  if (!stored) throw new TandaError('not_found', 'no credential with that id');
  authorize(actor, 'read', { kind: 'credential', issuerId: stored.issuerId, holderUserId: stored.holderUserId });
  return stored;
}

/** The newest credential in a chain of re-issues (a name correction replaces a credential; links follow it). */
export async function latestOf(services: Pick<Services, 'db'>, id: string): Promise<string> {
  let current = id;
  for (let hops = 0; hops < 20; hops++) {
    const next = await services.db.kysely.selectFrom('credential_links').select('replacement_id').where('replaced_id', '=', current).executeTakeFirst();
    if (!next) return current;
    current = next.replacement_id;
  }
  return current;
}
