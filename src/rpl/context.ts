import path from 'node:path';
import type { AwardInput, IssuedAward } from '../awards/award-service.js';
import type { Config } from '../config.js';
import type { CredentialService } from '../credentials/service.js';
import type { Db, Executor } from '../db/database.js';
import { loadMasterKey } from '../keys/master-key.js';
import type { Actor } from '../policy/policy.js';
import { appendAudit, type AuditInput } from './audit.js';
import { FileEvidenceStorage, type EvidenceStorage } from './evidence-storage.js';
import { NationalIdHasher } from './national-id.js';
import { Outbox } from './notifications.js';

/** What the RPL functions need, built once in services.ts; tests swap the storage. */
export interface RplContext {
  db: Db;
  credentials: CredentialService;
  /** Issues a catalogue award (credential, award record, QR type table) in one transaction. */
  issueAward: (actor: Actor, input: AwardInput) => Promise<IssuedAward>;
  nationalIds: NationalIdHasher;
  outbox: Outbox;
  storage: EvidenceStorage;
  /** Where resumable uploads (src/me/uploads.ts) keep their part files until the last chunk arrives. */
  uploadDir: string;
  /** Largest evidence file accepted, in bytes. */
  evidenceMaxBytes: number;
  /** Days after the decision within which the candidate may appeal. */
  appealDays: number;
}

export const audit = (tx: Executor, ctx: RplContext, input: AuditInput) => appendAudit(tx, ctx.db.dialect, input);

/** The RPL collaborators for one deployment: evidence under <dataDir>/evidence; the outbox is sent by src/outbox/. */
export function createRplContext(config: Config, db: Db, credentials: CredentialService, issueAward: RplContext['issueAward']): RplContext {
  return {
    db,
    credentials,
    issueAward,
    // Same key the key store uses (env or the 0600 file); loading it again reads, never regenerates.
    nationalIds: new NationalIdHasher(loadMasterKey({ masterKey: config.masterKey, dataDir: config.dataDir })),
    outbox: new Outbox(),
    storage: new FileEvidenceStorage(path.join(config.dataDir, 'evidence')),
    uploadDir: path.join(config.dataDir, 'uploads'),
    evidenceMaxBytes: config.evidenceMaxBytes,
    appealDays: config.appealDays,
  };
}
