import { m0001Core } from './0001-core.js';
import { m0002Frameworks } from './0002-frameworks.js';
import { m0003Qr } from './0003-qr.js';
import { m0004Status } from './0004-status.js';
import { m0005Rpl } from './0005-rpl.js';
import { m0006Awards } from './0006-awards.js';
import { m0007KeyCompromise } from './0007-key-compromise.js';
import { m0008Outbox } from './0008-outbox.js';
import { m0009StatusListKinds } from './0009-status-list-kinds.js';
import { m0011CandidateBodies } from './0011-candidate-bodies.js';
import { m0014IssuerProfiles } from './0014-issuer-profiles.js';
import { m0015Idempotency } from './0015-idempotency.js';
import { m0016TokenExpiry } from './0016-token-expiry.js';
import { m0017Deployment } from './0017-deployment.js';
import { m0018ReturneeSpace } from './0018-returnee-space.js';
import { m0019WalletOffers } from './0019-wallet-offers.js';
import { m0023CertificationBatches } from './0023-certification-batches.js';
import { m0024StatisticsConsent } from './0024-statistics-consent.js';
import { m0025ConsoleSync } from './0025-console-sync.js';
import { m0026SyncEventPackage } from './0026-sync-event-package.js';
import type { MigrationFactory } from './types.js';

/** Ordered by name; a released migration is never edited — add a new one. */
export const migrations: Record<string, MigrationFactory> = {
  '0001-core': m0001Core,
  '0002-frameworks': m0002Frameworks,
  '0003-qr': m0003Qr,
  '0004-status': m0004Status,
  '0005-rpl': m0005Rpl,
  '0006-awards': m0006Awards,
  '0007-key-compromise': m0007KeyCompromise,
  '0008-outbox': m0008Outbox,
  '0009-status-list-kinds': m0009StatusListKinds,
  '0011-candidate-bodies': m0011CandidateBodies,
  '0014-issuer-profiles': m0014IssuerProfiles,
  '0015-idempotency': m0015Idempotency,
  '0016-token-expiry': m0016TokenExpiry,
  '0017-deployment': m0017Deployment,
  '0018-returnee-space': m0018ReturneeSpace,
  '0019-wallet-offers': m0019WalletOffers,
  '0023-certification-batches': m0023CertificationBatches,
  '0024-statistics-consent': m0024StatisticsConsent,
  '0025-console-sync': m0025ConsoleSync,
  '0026-sync-event-package': m0026SyncEventPackage,
};
