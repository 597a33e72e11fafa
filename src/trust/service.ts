import crypto from 'node:crypto';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import type { DocumentLoader } from '../jsonld/index.js';
import type { ChangeWatch } from '../deployment/changes.js';
import type { StatusService } from '../status/status-service.js';
import { bundledContexts } from '../jsonld/index.js';
import { loadMasterKey } from '../keys/master-key.js';
import { exportStatusSnapshots } from '../status/repository.js';
import { trustAuthority, type TrustAuthority } from './authority.js';
import type { TrustBundle, UnsignedTrustBundle } from './bundle.js';
import { DEFAULT_BUNDLE_VALIDITY_DAYS, unsignedTrustBundle } from './build.js';
import { signTrustBundle } from './sign.js';
import { createVerifierData, type VerifierData } from '../verifier/verifier-data.js';

export interface PublishedBundle {
  bundle: TrustBundle;
  /** The exact bytes served and hashed: verifiers and caches see one representation per ETag. */
  text: string;
  etag: string;
}

/** What the trust and web routes serve from: this instance's own bundle by default, a fixed one in tests. */
export interface BundleSource {
  authority(): Promise<{ did: string }>;
  current(): Promise<PublishedBundle>;
  verifierData(): Promise<VerifierData>;
}

/** What the trust bundle is built from (a narrow view of the composition root). */
export interface TrustDeps {
  config: Pick<Config, 'masterKey' | 'dataDir'>;
  db: Db;
  status: Pick<StatusService, 'refreshStale'>;
  documentLoader: DocumentLoader;
  /** Revocations and key changes, from this instance or another: the bundle is rebuilt on the next request. */
  changes?: Pick<ChangeWatch, 'onChange'>;
}

export interface TrustBundleServiceOptions {
  validityDays?: number;
  /** How long a built bundle is served before the registry is read again. */
  rebuildAfterMs?: number;
  /** A bundle with unchanged content is re-signed only after this long, so ETags (and caches) stay stable. */
  resignAfterMs?: number;
  now?: () => Date;
}

/** What changes the verifier's decisions: the bundle minus its signing metadata. */
const contentDigest = (b: UnsignedTrustBundle): string => {
  const { serial: _s, issued: _i, validUntil: _v, registry, ...rest } = b;
  const { generatedAt: _g, ...registryContent } = registry;
  return crypto.createHash('sha256').update(JSON.stringify({ ...rest, registry: registryContent })).digest('base64url');
};

/**
 * Builds, signs and caches the published trust bundle of this instance. One per Services (memoised below), shared by
 * GET /trust-bundle, POST /verify/qr and the CLI export.
 */
export class TrustBundleService implements BundleSource {
  private published: { value: PublishedBundle; digest: string; builtAt: number; tables: number; generation: number } | undefined;
  private building: Promise<PublishedBundle> | undefined;
  /** Bumped by invalidate(): a build that started before a change must not be served as current after it. */
  private generation = 0;
  private data: { etag: string; value: Promise<VerifierData> } | undefined;
  private readonly masterKey: Buffer;
  private readonly now: () => Date;

  constructor(
    private readonly services: TrustDeps,
    private readonly options: TrustBundleServiceOptions = {},
  ) {
    this.masterKey = loadMasterKey({ masterKey: services.config.masterKey, dataDir: services.config.dataDir });
    this.now = options.now ?? (() => new Date());
    services.changes?.onChange(() => this.invalidate());
  }

  authority(): Promise<TrustAuthority> {
    return trustAuthority(this.services.db.kysely, this.masterKey);
  }

  /**
   * The current signed bundle (rebuilt at most every `rebuildAfterMs`, concurrent callers share one build), and at
   * once when a QR type table was added since: a certificate just printed with a new table must be checkable by
   * verifiers that refresh now, not a minute later.
   */
  async current(): Promise<PublishedBundle> {
    const now = this.now().getTime();
    const fresh = this.published && this.published.generation === this.generation && now - this.published.builtAt < (this.options.rebuildAfterMs ?? 60_000);
    if (fresh && (await this.newestTable()) === this.published!.tables) return this.published!.value;
    if (!this.building) {
      const building = this.rebuild(this.generation).finally(() => {
        if (this.building === building) this.building = undefined;
      });
      this.building = building;
    }
    return this.building;
  }

  private async newestTable(): Promise<number> {
    const { max } = await this.services.db.kysely
      .selectFrom('qr_type_tables')
      .select((eb) => eb.fn.max('registry_entry_id').as('max'))
      .executeTakeFirstOrThrow();
    return max === null ? 0 : Number(max);
  }

  /**
   * Forces the next `current()` to read the registry again (after an import or a revocation). A build already under
   * way may have read the lists before the change: callers from now on wait for a new one instead.
   */
  invalidate(): void {
    this.generation++;
    this.building = undefined;
  }

  private async rebuild(generation: number): Promise<PublishedBundle> {
    const now = this.now();
    const ex = this.services.db.kysely;
    const tables = await this.newestTable();
    const authority = await this.authority();
    // Lists near the end of their TTL are re-signed first, so a bundle never ships a snapshot that is already stale.
    await this.services.status.refreshStale();
    const unsigned = await unsignedTrustBundle(ex, {
      authority,
      contexts: bundledContexts(),
      statusLists: await exportStatusSnapshots(ex),
      now,
      validityDays: this.options.validityDays ?? DEFAULT_BUNDLE_VALIDITY_DAYS,
    });
    const digest = contentDigest(unsigned);
    const previous = this.published;
    const resignAfter = this.options.resignAfterMs ?? 86_400_000;
    if (previous && previous.digest === digest && now.getTime() - Date.parse(previous.value.bundle.issued) < resignAfter) {
      // Builds finish in any order: an older one never replaces what a newer one published.
      if (generation >= previous.generation) Object.assign(previous, { builtAt: now.getTime(), tables, generation });
      return previous.value;
    }
    const bundle = await signTrustBundle(unsigned, authority.signer, this.services.documentLoader);
    const text = JSON.stringify(bundle);
    const value = { bundle, text, etag: `"${crypto.createHash('sha256').update(text).digest('base64url')}"` };
    if (!this.published || generation >= this.published.generation) this.published = { value, digest, builtAt: now.getTime(), tables, generation };
    return value;
  }

  /** Lookup structures over the current bundle for the server's own verifications (rebuilt when the bundle changes). */
  async verifierData(): Promise<VerifierData> {
    const { bundle, etag } = await this.current();
    if (this.data?.etag !== etag) this.data = { etag, value: createVerifierData(bundle, bundledContexts()) };
    return this.data.value;
  }
}

const instances = new WeakMap<TrustDeps, TrustBundleService>();

/** The instance's bundle service (one per Services, so routes and commands share its cache). */
export function trustBundleService(services: TrustDeps): TrustBundleService {
  let service = instances.get(services);
  if (!service) instances.set(services, (service = new TrustBundleService(services)));
  return service;
}
