/** The parts of @digitalbazaar/oid4-client (a wallet-side library, used by the wallet tests) that Tanda's tests call. */
declare module '@digitalbazaar/oid4-client' {
  type Json = Record<string, any>;
  export function getCredentialOffer(options: { url: string }): Promise<Json>;
  export function robustDiscoverIssuer(options: { issuer: string }): Promise<{ issuerConfig: Json; metadata: { issuer: Json; authorizationServer: Json } }>;
  export class OID4Client {
    constructor(options: { accessToken?: string | null; issuerConfig?: Json; metadata?: Json; offer?: Json; authorizationDetails?: unknown });
    static fromCredentialOffer(options: { offer: Json; supportedFormats?: string[] }): Promise<OID4Client>;
    requestCredentials(options?: { requests?: Json[]; format?: string }): Promise<{ credential: Json; credentials: Json[]; format?: string; credential_responses: Json[] }>;
  }
}
