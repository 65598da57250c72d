import type { OAuthSettings } from './oauth.ts';

export const DEFAULT_OAUTH_URL = 'https://login.cloud.camunda.io/oauth/token';
export const DEFAULT_AUDIENCE = 'api.cloud.camunda.io';

/** Token URL and audience from the env names Camunda's own SDKs use. */
export function oauthSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): OAuthSettings {
  const tokenUrl = env.CAMUNDA_OAUTH_URL?.trim() || DEFAULT_OAUTH_URL;
  try {
    const url = new URL(tokenUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)');
  } catch {
    throw new Error(`CAMUNDA_OAUTH_URL '${tokenUrl}' is not an http(s) URL`);
  }
  return { tokenUrl, audience: env.CAMUNDA_CONSOLE_OAUTH_AUDIENCE?.trim() || DEFAULT_AUDIENCE };
}
