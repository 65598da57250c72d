// Stands in for `@aws-sdk/credential-provider-node` in the function bundles only (an esbuild alias, see
// ../function-bundle.ts). Lambda always hands a function its role's credentials in environment variables, so
// the SDK's default chain never gets past its first link there; the rest of the chain (SSO, ini files,
// process, web identity, container and instance metadata, and the STS/SSO clients they carry) was ~130 kB of
// every bundle. Local runs and tests under tsx do not use the alias and keep the whole chain.

/** What the SDK clients expect from their `credentialDefaultProvider`. */
export interface EnvCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export class MissingEnvCredentialsError extends Error {
  override readonly name = 'MissingEnvCredentialsError';
}

/** Same signature as the SDK's `defaultProvider(init)`: a provider reading the environment at each call. */
export const defaultProvider =
  (_init: unknown = {}) =>
  async (): Promise<EnvCredentials> => {
    const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      // Names the variables, never their values.
      const missing = [
        accessKeyId ? undefined : 'AWS_ACCESS_KEY_ID',
        secretAccessKey ? undefined : 'AWS_SECRET_ACCESS_KEY',
      ].filter(Boolean);
      throw new MissingEnvCredentialsError(
        `no AWS credentials in the environment (${missing.join(', ')} not set): this bundle reads only the ` +
          'credentials Lambda sets for the function’s role',
      );
    }
    const sessionToken = process.env.AWS_SESSION_TOKEN;
    const expiry = process.env.AWS_CREDENTIAL_EXPIRATION;
    return {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
      ...(expiry ? { expiration: new Date(expiry) } : {}),
    };
  };
