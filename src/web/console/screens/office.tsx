import { BatchProgress, CertificationQueue, CertifyCase } from '../office/certification.js';
import { CredentialsFind, CredentialView } from '../office/credentials.js';
import { ModerationCase, ModerationQueue } from '../office/moderation.js';
import type { Screen } from './index.js';

/** Moderation, certification (preview, issue, print, batches), revoke / re-issue / name correction. */
export const officeScreens: Screen[] = [
  { path: 'moderation', ability: 'moderate', nav: { label: 'office.nav.moderation', order: 30 }, render: () => <ModerationQueue /> },
  { path: 'moderation/:id', ability: 'moderate', render: (p) => <ModerationCase key={p.id} id={p.id!} /> },
  { path: 'certification', ability: 'certify', nav: { label: 'office.nav.certification', order: 35 }, render: () => <CertificationQueue /> },
  { path: 'certification/:id', ability: 'certify', render: (p) => <CertifyCase key={p.id} id={p.id!} /> },
  { path: 'certification/batches/:id', ability: 'certify', render: (p) => <BatchProgress key={p.id} id={p.id!} /> },
  { path: 'credentials', ability: 'manageCredentials', nav: { label: 'office.nav.credentials', order: 40 }, render: () => <CredentialsFind /> },
  { path: 'credentials/:id', ability: 'manageCredentials', render: (p) => <CredentialView key={p.id} id={p.id!} /> },
];
