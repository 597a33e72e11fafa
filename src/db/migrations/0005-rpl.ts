import { sql } from 'kysely';
import type { MigrationFactory } from './types.js';

/**
 * The RPL workflow: sign-in sessions and one-time codes, the notification outbox, candidates, cases with their
 * self-assessment, evidence and per-unit decisions, and the hash-chained audit log. The audit log refuses UPDATE
 * and DELETE at the database level as well (a trigger per dialect); the hash chain is what detects someone who
 * gets around that.
 */
export const m0005Rpl: MigrationFactory = (dialect) => ({
  async up(db) {
    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();

    await db.schema
      .createTable('login_codes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('code_hash', 'text', (c) => c.notNull())
      .addColumn('salt', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('notifications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('recipient', 'text', (c) => c.notNull())
      .addColumn('template', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('body', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('sent_at', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .execute();
    await db.schema.createIndex('notifications_pending').on('notifications').columns(['sent_at', 'created_at']).execute();

    await db.schema
      .createTable('candidates')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().unique().references('users.id'))
      .addColumn('full_name', 'text', (c) => c.notNull())
      .addColumn('name_latin', 'text')
      .addColumn('email', 'text', (c) => c.unique())
      .addColumn('phone', 'text', (c) => c.unique())
      .addColumn('preferred_language', 'text')
      .addColumn('country_of_work', 'text')
      .addColumn('sector', 'text')
      .addColumn('years_experience', 'integer')
      .addColumn('sex', 'text')
      .addColumn('birth_year', 'integer')
      .addColumn('national_id_hash', 'text', (c) => c.unique())
      .addColumn('consent_purpose', 'text')
      .addColumn('consent_at', 'text')
      .addColumn('consent_withdrawn_at', 'text')
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('erased_at', 'text')
      .execute();

    await db.schema
      .createTable('rpl_cases')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('candidate_id', 'text', (c) => c.notNull().references('candidates.id'))
      .addColumn('qualification_id', 'text', (c) => c.notNull().references('qualifications.id'))
      .addColumn('issuer_id', 'text', (c) => c.notNull().references('issuers.id'))
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('round', 'integer', (c) => c.notNull())
      .addColumn('assessor_id', 'text', (c) => c.references('users.id'))
      .addColumn('previous_assessor_id', 'text', (c) => c.references('users.id'))
      .addColumn('moderator_id', 'text', (c) => c.references('users.id'))
      .addColumn('outcome', 'text')
      .addColumn('decided_at', 'text')
      .addColumn('moderated_at', 'text')
      .addColumn('moderation_note', 'text')
      .addColumn('gap_training_note', 'text')
      .addColumn('appeal_reason', 'text')
      .addColumn('appealed_at', 'text')
      .addColumn('credential_id', 'text')
      .addColumn('cohort_ref', 'text')
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rpl_cases_candidate').on('rpl_cases').column('candidate_id').execute();
    await db.schema.createIndex('rpl_cases_assessor').on('rpl_cases').column('assessor_id').execute();
    await db.schema.createIndex('rpl_cases_issuer_state').on('rpl_cases').columns(['issuer_id', 'state']).execute();

    await db.schema
      .createTable('self_assessments')
      .addColumn('case_id', 'text', (c) => c.notNull().references('rpl_cases.id'))
      .addColumn('unit_id', 'text', (c) => c.notNull())
      .addColumn('rating', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('self_assessments_pk', ['case_id', 'unit_id'])
      .execute();

    await db.schema
      .createTable('evidence_blobs')
      .addColumn('hash', 'text', (c) => c.primaryKey())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('content_type', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('evidence_items')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('case_id', 'text', (c) => c.notNull().references('rpl_cases.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('blob_hash', 'text', (c) => c.references('evidence_blobs.hash'))
      .addColumn('original_name', 'text')
      .addColumn('uploaded_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('evidence_items_case').on('evidence_items').column('case_id').execute();
    await db.schema.createIndex('evidence_items_blob').on('evidence_items').column('blob_hash').execute();

    await db.schema
      .createTable('unit_assessments')
      .addColumn('case_id', 'text', (c) => c.notNull().references('rpl_cases.id'))
      .addColumn('round', 'integer', (c) => c.notNull())
      .addColumn('unit_id', 'text', (c) => c.notNull())
      .addColumn('assessor_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('methods', 'text', (c) => c.notNull())
      .addColumn('evidence_ids', 'text', (c) => c.notNull())
      .addColumn('quality', 'text', (c) => c.notNull())
      .addColumn('decision', 'text', (c) => c.notNull())
      .addColumn('notes', 'text')
      .addColumn('centre_id', 'text', (c) => c.references('assessment_centres.id'))
      .addColumn('country', 'text', (c) => c.notNull())
      .addColumn('assessed_on', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('unit_assessments_pk', ['case_id', 'round', 'unit_id'])
      .execute();

    await db.schema
      .createTable('audit_log')
      .addColumn('seq', 'integer', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('case_id', 'text')
      .addColumn('subject_id', 'text')
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('prev_hash', 'text', (c) => c.notNull().unique())
      .addColumn('hash', 'text', (c) => c.notNull().unique())
      .execute();
    await db.schema.createIndex('audit_log_case').on('audit_log').columns(['case_id', 'seq']).execute();

    if (dialect === 'sqlite') {
      for (const op of ['UPDATE', 'DELETE']) {
        await sql
          .raw(`CREATE TRIGGER audit_log_no_${op.toLowerCase()} BEFORE ${op} ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`)
          .execute(db);
      }
    } else {
      await sql`CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$ LANGUAGE plpgsql`.execute(db);
      await sql`CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`.execute(db);
    }
  },
  async down(db) {
    if (dialect === 'postgres') await sql`DROP FUNCTION IF EXISTS audit_log_append_only() CASCADE`.execute(db);
    for (const t of ['audit_log', 'unit_assessments', 'evidence_items', 'evidence_blobs', 'self_assessments', 'rpl_cases', 'candidates', 'notifications', 'login_codes', 'sessions']) {
      await db.schema.dropTable(t).execute();
    }
  },
});
