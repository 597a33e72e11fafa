export type WalletProtocol = 'oid4vci' | 'vcapi';

export interface WalletOffersTable {
  /** SHA-256 (hex) of the handle the wallet holds: the pre-authorized code, or the exchange id. */
  id: string;
  protocol: WalletProtocol;
  credential_id: string;
  holder_user_id: string;
  tx_code_hash: string | null;
  tx_code_salt: string | null;
  attempts: number;
  access_token_hash: string | null;
  access_expires_at: string | null;
  /** 1 when the token response named the credential by `credential_identifiers` (OID4VCI 1.0 §6.2). */
  credential_identifiers: number;
  challenge: string | null;
  wallet_did: string | null;
  expires_at: string;
  redeemed_at: string | null;
  delivered_at: string | null;
  created_at: string;
}

export interface WalletTables {
  wallet_offers: WalletOffersTable;
}
