export {
  type CredentialsSource,
  envCredentials,
  secretFingerprint,
  secretsManagerCredentials,
} from './credentials.ts';
export { TokenError, type TokenErrorCode } from './errors.ts';
export { jwtExpiry } from './jwt.ts';
export { memoryTokenStore } from './memory-store.ts';
export { AuthCallError, type Credentials, type OAuthSettings, requestToken } from './oauth.ts';
export { SharedTokenProvider, type TokenProviderDeps } from './provider.ts';
export { DEFAULT_AUDIENCE, DEFAULT_OAUTH_URL, oauthSettings, oauthSettingsFromEnv } from './settings.ts';
export { dynamoTokenStore, type SharedTokenState, type TokenStore, tokenItemKey } from './shared-store.ts';
export type { TokenMetricName, TokenMetrics, TokenOrigin, TokenStats } from './stats.ts';
export { DEFAULT_TUNING, type StoreUnavailablePolicy, type TokenProviderTuning } from './tuning.ts';
