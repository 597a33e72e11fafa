import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createUser } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config.js';
import { nowIso, openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { createIssuer } from '../src/issuers/issuers.js';
import { createServices } from '../src/services.js';
import { createWalletOffers, deliverCredential, redeemPreAuthorizedCode, type WalletDeps } from '../src/wallets/offers.js';
import { typicalCredential } from './credentials.js';
import { rate } from './measure.js';

/**
 * One OID4VCI issuance as the server does it, on SQLite: the returnee's offer (transaction code hashed with scrypt and
 * queued), the wallet's token request (scrypt again) and its credential request. A wallet's own time is not counted.
 */
export async function benchWallets(seconds = 3): Promise<Record<string, number>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-bench-wallets-'));
  const db = openDatabase({ sqlitePath: ':memory:' });
  try {
    await migrateToLatest(db);
    const config = loadConfig({ TANDA_DATA_DIR: dataDir, TANDA_MASTER_KEY: crypto.randomBytes(32).toString('base64'), TANDA_PUBLIC_URL: 'https://tanda.example' });
    const services = createServices(config, db);
    const issuer = await createIssuer(db.kysely, services.keys, config.publicUrl, { name: 'Bench Body', country: 'PH', didMethod: 'key' });
    const user = await createUser(db.kysely, { name: 'Bench Returnee', role: 'candidate' });
    await db.kysely
      .insertInto('candidates')
      .values({
        id: crypto.randomUUID(), user_id: user.id, full_name: 'Bench Returnee', name_latin: null, email: 'bench@example.org', phone: null, preferred_language: null,
        country_of_work: null, sector: null, years_experience: null, sex: null, birth_year: null, national_id_hash: null, consent_purpose: null, consent_at: null,
        consent_withdrawn_at: null, created_by: null, registered_issuer_id: issuer.id, created_at: nowIso(), erased_at: null,
      })
      .execute();
    const signed = await services.credentials.issue(typicalCredential(issuer.did), { issuerId: issuer.id, kind: 'award', holderUserId: user.id });
    const deps: WalletDeps = { db, credentials: services.credentials, outbox: services.rpl.outbox, documentLoader: services.documentLoader, publicUrl: config.publicUrl };
    const actor = { id: user.id, role: 'candidate' as const, issuerId: null };
    const issuance = async () => {
      const offers = await createWalletOffers(deps, actor, String(signed.id));
      const code = new URLSearchParams(offers.oid4vci.credentialOfferUri.split('?')[1]).get('credential_offer_uri')!.split('/').pop()!;
      const message = await db.kysely.selectFrom('notifications').select(['id', 'body']).where('template', '=', 'wallet_tx_code').where('sent_at', 'is', null).executeTakeFirstOrThrow();
      await db.kysely.updateTable('notifications').set({ sent_at: nowIso() }).where('id', '=', message.id).execute();
      const txCode = /\b(\d{6})\b/.exec(message.body ?? '')![1]!;
      const form = { grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': code, tx_code: txCode };
      const token = await redeemPreAuthorizedCode(deps, { body: form, headers: {}, url: '/oid4vci/token' });
      await deliverCredential(deps, { authorization: `Bearer ${token.access_token}`, body: { credential_configuration_id: 'TandaAward_ldp_vc' } });
    };
    return { 'wallets.oid4vci_issuances_per_s': await rate(issuance, seconds) };
  } finally {
    await db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
