/** Where a verifier keeps its verification data in the data directory (`tanda verify` reads them). */
export const BUNDLE_FILE = 'trust-bundle.json';
export const AUTHORITY_FILE = 'trust-authority.txt';
