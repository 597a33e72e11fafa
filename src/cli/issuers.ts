import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { describeProfile, getIssuerProfile, PROFILE_IMAGES, setIssuerProfile, type IssuerProfileInput } from '../issuers/profile.js';
import { authorize } from '../policy/policy.js';
import type { Services } from '../services.js';
import { AS_HELP, AS_OPTION, cliActor } from './actor.js';

export const ISSUERS_HELP = `usage: tanda issuers <command>
  profile <issuer-id> --signatory-name NAME --signatory-title TITLE [--logo file] [--seal file] [--signature file]
                 [--remove logo,seal,signature]
                 set what the body's certificates print: images are PNG or JPEG files (checked by content, at most
                 512 KiB); an image not given keeps the stored one
  show-profile <issuer-id>
                 the stored profile (names, and each image's format and size)
  both: ${AS_HELP}; without it, the operator`;

const options = {
  'signatory-name': { type: 'string' },
  'signatory-title': { type: 'string' },
  logo: { type: 'string' },
  seal: { type: 'string' },
  signature: { type: 'string' },
  remove: { type: 'string' },
  ...AS_OPTION,
} as const;

/** `tanda issuers …`: a certifying body's certificate profile. */
export async function issuersCommand(argv: string[], services: Services): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options });
  const [issuerId] = positionals;
  if ((sub !== 'profile' && sub !== 'show-profile') || !issuerId) {
    process.stderr.write(`${ISSUERS_HELP}\n`);
    return 2;
  }
  const db = services.db.kysely;
  const actor = await cliActor(db, values.as);
  if (sub === 'show-profile') {
    authorize(actor, 'read', { kind: 'body', issuerId });
    const profile = await getIssuerProfile(db, issuerId);
    if (!profile) throw new Error(`certifying body ${issuerId} has no certificate profile`);
    process.stdout.write(`${JSON.stringify(await describeProfile(profile), null, 2)}\n`);
    return 0;
  }
  authorize(actor, 'manage_profile', { kind: 'body', issuerId });
  const existing = await getIssuerProfile(db, issuerId);
  const signatoryName = values['signatory-name'] ?? existing?.signatoryName;
  const signatoryTitle = values['signatory-title'] ?? existing?.signatoryTitle;
  if (!signatoryName || !signatoryTitle) throw new Error('--signatory-name and --signatory-title are needed for a body without a profile');
  const input: IssuerProfileInput = { signatoryName, signatoryTitle };
  const removed = (values.remove ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const slot of removed) {
    if (!(PROFILE_IMAGES as readonly string[]).includes(slot)) throw new Error(`--remove takes ${PROFILE_IMAGES.join(', ')}`);
    input[slot as (typeof PROFILE_IMAGES)[number]] = null;
  }
  for (const slot of PROFILE_IMAGES) {
    const file = values[slot];
    if (file) input[slot] = new Uint8Array(fs.readFileSync(file));
  }
  const profile = await setIssuerProfile(db, issuerId, input, actor.id);
  process.stdout.write(`${JSON.stringify(await describeProfile(profile), null, 2)}\n`);
  return 0;
}
