import type { OAuthSettings } from './oauth.ts';

export const DEFAULT_OAUTH_URL = 'https://login.cloud.camunda.io/oauth/token';
export const DEFAULT_AUDIENCE = 'api.cloud.camunda.io';

/**
 * Token URL and audience, defaulted when absent or blank; `setting` names where the URL came from in the
 * error for one that is not http(s).
 */
export function oauthSettings(
  tokenUrl: string | undefined,
  audience: string | undefined,
  setting = 'CAMUNDA_OAUTH_URL',
): OAuthSettings {
  const url = tokenUrl?.trim() || DEFAULT_OAUTH_URL;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http(s)');
  } catch {
    throw new Error(`${setting} '${url}' is not an http(s) URL`);
  }
  return { tokenUrl: url, audience: audience?.trim() || DEFAULT_AUDIENCE };
}

/** Token URL and audience from the env names Camunda's own SDKs use. */
export function oauthSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): OAuthSettings {
  return oauthSettings(env.CAMUNDA_OAUTH_URL, env.CAMUNDA_CONSOLE_OAUTH_AUDIENCE);
}
