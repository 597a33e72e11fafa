import jsigs from 'jsonld-signatures';
import type { DocumentLoader } from '../jsonld/loader.js';
import { fail, pass, type Check } from './checks.js';
import { documentBoundsViolation } from './document-bounds.js';
import { verifyingSuite } from './suite.js';
import type { VerificationResult } from './verify.js';

export interface PresentationResult {
  verified: boolean;
  presentation: { checks: Check[] };
  credentials: VerificationResult[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface PresentationProof {
  /** The presentation's own checks (structure, bounds, its proof). */
  checks: Check[];
  /** Not a presentation at all, or beyond the bounds: its credentials are not looked at. */
  malformed: boolean;
}

/** The credentials a presentation carries, in order. */
export function embeddedCredentials(presentation: unknown): unknown[] {
  if (!isObject(presentation)) return [];
  const embedded = presentation.verifiableCredential;
  return embedded === undefined ? [] : Array.isArray(embedded) ? embedded : [embedded];
}

/**
 * A presentation's own proof (authentication, bound to challenge and domain) is checked here; each embedded credential
 * goes through the same per-check credential verification as a lone one.
 */
export async function verifyPresentation(
  presentation: unknown,
  options: {
    documentLoader: DocumentLoader;
    challenge?: string | undefined;
    domain?: string | undefined;
    verifyCredential: (credential: unknown) => Promise<VerificationResult>;
    /**
     * Further suites a presentation's own proof may use (a wallet's DID Authentication signed with a legacy suite);
     * embedded credentials are still checked by `verifyCredential` alone.
     */
    presentationSuites?: readonly object[];
  },
): Promise<PresentationResult> {
  const own = await verifyPresentationProof(presentation, options);
  if (own.malformed) return { verified: false, presentation: { checks: own.checks }, credentials: [] };
  return presentationResult(own.checks, await Promise.all(embeddedCredentials(presentation).map((c) => options.verifyCredential(c))));
}

export function presentationResult(checks: Check[], credentials: VerificationResult[]): PresentationResult {
  return { verified: checks.every((c) => c.valid) && credentials.every((r) => r.verified), presentation: { checks }, credentials };
}

/** The presentation's structure and its own proof, without the credentials inside. */
export async function verifyPresentationProof(
  presentation: unknown,
  options: { documentLoader: DocumentLoader; challenge?: string | undefined; domain?: string | undefined; presentationSuites?: readonly object[] },
): Promise<PresentationProof> {
  const checks: Check[] = [];
  if (!isObject(presentation) || !([] as unknown[]).concat(presentation.type).includes('VerifiablePresentation')) {
    checks.push(fail('structure', 'malformed_credential', 'a presentation must be an object whose type includes VerifiablePresentation'));
    return { checks, malformed: true };
  }
  const bounds = documentBoundsViolation(presentation);
  if (bounds) {
    checks.push(fail('structure', 'malformed_credential', bounds.message, { bounds }));
    return { checks, malformed: true };
  }
  checks.push(pass('structure', 'the presentation is well-formed'));

  if (presentation.proof === undefined) {
    checks.push(
      options.challenge
        ? fail('signature', 'invalid_signature', 'a challenge was given but the presentation is not signed')
        : pass('signature', 'unsigned presentation: only the credentials inside are checked'),
    );
  } else if (!options.challenge) {
    checks.push(fail('signature', 'invalid_signature', 'a signed presentation is verified against a challenge: give options.challenge'));
  } else {
    try {
      const result = await jsigs.verify(presentation, {
        suite: [verifyingSuite(options.documentLoader), ...(options.presentationSuites ?? [])],
        purpose: new jsigs.purposes.AuthenticationProofPurpose({ challenge: options.challenge, ...(options.domain ? { domain: options.domain } : {}) }),
        documentLoader: options.documentLoader,
      });
      const reason = result.error?.errors?.[0]?.message ?? result.results?.find((r) => !r.verified)?.error?.message;
      checks.push(
        result.verified
          ? pass('signature', 'the presentation is signed by its holder for this challenge and domain')
          : fail('signature', 'invalid_signature', `the presentation proof does not verify${reason ? `: ${reason}` : ''}`),
      );
    } catch (e) {
      checks.push(fail('signature', 'invalid_signature', `the presentation proof could not be checked: ${(e as Error).message}`));
    }
  }
  return { checks, malformed: false };
}
