export {
  type CredentialsSource,
  envCredentials,
  secretFingerprint,
  secretsManagerCredentials,
} from './credentials.ts';
export { TokenError, type TokenErrorCode } from './errors.ts';
export { jwtExpiry } from './jwt.ts';
export { AuthCallError, type Credentials, type OAuthSettings, requestToken } from './oauth.ts';
export {
  DEFAULT_TUNING,
  SharedTokenProvider,
  type TokenMetricName,
  type TokenMetrics,
  type TokenOrigin,
  type TokenProviderDeps,
  type TokenProviderTuning,
  type TokenStats,
} from './provider.ts';
export { DEFAULT_AUDIENCE, DEFAULT_OAUTH_URL, oauthSettingsFromEnv } from './settings.ts';
export { dynamoTokenStore, type SharedTokenState, type TokenStore, tokenItemKey } from './shared-store.ts';
