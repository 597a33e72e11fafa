import crypto from 'node:crypto';
import {
  Oauth2AuthorizationServer,
  Oauth2ErrorCodes,
  Oauth2ServerErrorResponseError,
  clientAuthenticationNone,
  preAuthorizedCodeGrantIdentifier,
  type AuthorizationServerMetadata,
  type CallbackContext,
} from '@openid4vc/oauth2';
import { Openid4vciIssuer, Openid4vciVersion, setGlobalConfig, type CredentialIssuerMetadata, type IssuerMetadataResult } from '@openid4vc/openid4vci';
import { OB_V3, TANDA_V1, VC_V2 } from '../jsonld/urls.js';

/*
 * OpenID for Verifiable Credential Issuance 1.0 as an issuer, through @openid4vc/openid4vci and @openid4vc/oauth2:
 * they build and validate the metadata and the offer, parse token and credential requests, compare the
 * pre-authorized and transaction codes and shape the credential response; Tanda supplies the state (src/wallets/
 * offers.ts) and the credential, signed by its own signer when it was issued.
 */

/** The one credential configuration: a Tanda award as an Open Badges 3.0 credential, Data Integrity eddsa-rdfc-2022. */
export const CONFIGURATION_ID = 'TandaAward_ldp_vc';
export const TOKEN_PATH = '/oid4vci/token';
export const CREDENTIAL_PATH = '/oid4vci/credential';
export const OFFER_PATH = '/oid4vci/offers';

/**
 * The libraries only use hashing and randomness on the paths Tanda takes (no JWT is signed or verified: access tokens
 * are opaque and stored hashed, and credentials are not bound to a wallet key, so no proof JWT is checked).
 */
const unused = (what: string) => () => {
  throw new Error(`${what} is not used by Tanda's OID4VCI issuer`);
};
const callbacks: Omit<CallbackContext, 'decryptJwe' | 'encryptJwe'> = {
  hash: (data, alg) => crypto.createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
  generateRandom: (bytes) => crypto.randomBytes(bytes),
  signJwt: unused('signing a JWT'),
  verifyJwt: unused('verifying a JWT'),
  clientAuthentication: clientAuthenticationNone({ clientId: 'wallet' }),
};

export const issuerLibrary = new Openid4vciIssuer({ callbacks });
export const authorizationServerLibrary = new Oauth2AuthorizationServer({ callbacks });

export interface Oid4vciMetadata {
  credentialIssuer: CredentialIssuerMetadata;
  authorizationServer: AuthorizationServerMetadata;
  result: IssuerMetadataResult;
}

const cache = new Map<string, Oid4vciMetadata>();

/**
 * Issuer and authorization-server metadata for the instance at `publicUrl` (the Credential Issuer Identifier).
 * Beyond OID4VCI's own parameters the issuer metadata repeats `issuer`, `token_endpoint` and
 * `authorization_details_types_supported` of the authorization server (it is the same server): @digitalbazaar/oid4-
 * client reads them from the issuer metadata only, and OID4VCI §12.2 lets an issuer add parameters that wallets
 * ignore. No `proof_types_supported` or `cryptographic_binding_methods_supported`: the award is delivered as issued
 * (see docs/wallets.md), so a credential request needs no proof and no nonce endpoint exists.
 */
export function oid4vciMetadata(publicUrl: string): Oid4vciMetadata {
  const known = cache.get(publicUrl);
  if (known) return known;
  // Development instances run on http://localhost; the libraries insist on https unless told otherwise.
  if (publicUrl.startsWith('http://')) setGlobalConfig({ allowInsecureUrls: true });
  const authorizationServer = authorizationServerLibrary.createAuthorizationServerMetadata({
    issuer: publicUrl,
    token_endpoint: `${publicUrl}${TOKEN_PATH}`,
    grant_types_supported: [preAuthorizedCodeGrantIdentifier],
    'pre-authorized_grant_anonymous_access_supported': true,
    token_endpoint_auth_methods_supported: ['none'],
    authorization_details_types_supported: ['openid_credential'],
  } as AuthorizationServerMetadata);
  const credentialIssuer = issuerLibrary.createCredentialIssuerMetadata({
    credential_issuer: publicUrl,
    credential_endpoint: `${publicUrl}${CREDENTIAL_PATH}`,
    display: [{ name: 'Tanda', locale: 'en' }],
    credential_configurations_supported: {
      [CONFIGURATION_ID]: {
        format: 'ldp_vc',
        credential_definition: { '@context': [VC_V2, OB_V3, TANDA_V1], type: ['VerifiableCredential', 'OpenBadgeCredential'] },
        credential_signing_alg_values_supported: ['eddsa-rdfc-2022'],
        credential_metadata: { display: [{ name: 'Skills certificate (RPL)', locale: 'en', description: 'A qualification recognised through Recognition of Prior Learning' }] },
      },
    },
    issuer: publicUrl,
    token_endpoint: authorizationServer.token_endpoint,
    authorization_details_types_supported: ['openid_credential'],
  } as CredentialIssuerMetadata);
  const result: IssuerMetadataResult = {
    originalDraftVersion: Openid4vciVersion.V1,
    credentialIssuer,
    authorizationServers: [authorizationServer],
    knownCredentialConfigurations: issuerLibrary.getKnownCredentialConfigurationsSupported(credentialIssuer),
  };
  const metadata = { credentialIssuer, authorizationServer, result };
  cache.set(publicUrl, metadata);
  return metadata;
}

/** An OAuth 2.0 / OID4VCI error, answered with its own body (`{error, error_description}`) and status. */
export const oauthError = (error: string, description: string, status = 400): Oauth2ServerErrorResponseError =>
  new Oauth2ServerErrorResponseError({ error, error_description: description }, { status });

export { Oauth2ErrorCodes, Oauth2ServerErrorResponseError, preAuthorizedCodeGrantIdentifier };
