import { isTandaError, TandaError } from '../errors.js';
import { trustBundleService, type TrustDeps } from '../trust/service.js';

/**
 * Every instance must hold the deployment's master key: the issuers' and the trust authority's private keys are
 * sealed with it in the shared database. An instance started with another one (no TANDA_MASTER_KEY, so a fresh
 * `master.key` in its own data directory) would otherwise come up and fail on its first signature; it is refused at
 * start instead. Opening the authority key is the test (it is created here on a fresh database, race-safe).
 */
export async function checkMasterKey(services: TrustDeps): Promise<void> {
  try {
    await trustBundleService(services).authority();
  } catch (e) {
    if (!isTandaError(e) || e.code !== 'key_decryption_failed') throw e;
    throw new TandaError(
      'invalid_config',
      'this instance\'s master key does not open the keys in the database, which were sealed with another one: every instance of a deployment needs the same TANDA_MASTER_KEY (or a copy of the same master.key)',
    );
  }
}
