/**
 * Stable identifiers of registry entries. They are names, not locations the verifier fetches: they are resolved
 * from the catalogue (online) or the trust bundle (offline), so they must never change once issued.
 */
export const REGISTRY_BASE = 'https://tanda.example';

export const qualificationUrl = (slug: string): string => `${REGISTRY_BASE}/qualifications/${encodeURIComponent(slug)}`;
export const unitUrl = (code: string): string => `${REGISTRY_BASE}/units/${encodeURIComponent(code)}`;
export const frameworkUrl = (frameworkId: string): string => `${REGISTRY_BASE}/frameworks/${encodeURIComponent(frameworkId)}`;
export const levelUrl = (frameworkId: string, level: number): string => `${frameworkUrl(frameworkId)}/levels/${level}`;

/** Id of the regional reference framework every national level mapping points to. */
export const AQRF_ID = 'aqrf';
