// Publishing a recreated cluster's API-client credentials where its consumers read them: one secret per
// cluster and client under a stable name, `<prefix>/<cluster-name>/<client-name>`, so a worker that reads
// that secret keeps working the morning after a recreate without a change.
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  type SecretsManagerClient,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';

/** What a consumer needs to connect (the shape Camunda's SDKs read from the environment). */
export interface ClientCredentials {
  clusterId: string;
  clusterName: string;
  clientName: string;
  clientId: string;
  clientSecret: string;
  zeebeGrpcAddress?: string;
  oauthUrl?: string;
  audience?: string;
  operateUrl?: string;
  tasklistUrl?: string;
  connectorsUrl?: string;
}

export interface CredentialPublisher {
  /** Writes (creates or replaces) the secret; returns its name. */
  publish(name: string, credentials: ClientCredentials): Promise<string>;
  /** The client id the secret was last published for (a tag, not the secret value); undefined if none. */
  publishedClientId(name: string): Promise<string | undefined>;
}

/** `<prefix>/<cluster-name>/<client-name>`; a name part with characters Secrets Manager refuses is replaced. */
export function credentialSecretName(prefix: string, clusterName: string, clientName: string): string {
  const part = (s: string) => s.replace(/[^A-Za-z0-9_+=.@-]/g, '_');
  return `${prefix}/${part(clusterName)}/${part(clientName)}`;
}

/** The secret's JSON: the names Camunda's SDKs use for their environment variables. */
export function credentialDocument(c: ClientCredentials): Record<string, string> {
  const doc: Record<string, string> = {
    CAMUNDA_CLUSTER_ID: c.clusterId,
    ZEEBE_CLIENT_ID: c.clientId,
    ZEEBE_CLIENT_SECRET: c.clientSecret,
    CAMUNDA_CLIENT_ID: c.clientId,
    CAMUNDA_CLIENT_SECRET: c.clientSecret,
  };
  if (c.zeebeGrpcAddress) doc.ZEEBE_GRPC_ADDRESS = c.zeebeGrpcAddress;
  if (c.oauthUrl) doc.CAMUNDA_OAUTH_URL = c.oauthUrl;
  if (c.audience) doc.ZEEBE_TOKEN_AUDIENCE = c.audience;
  if (c.operateUrl) doc.CAMUNDA_OPERATE_BASE_URL = c.operateUrl;
  if (c.tasklistUrl) doc.CAMUNDA_TASKLIST_BASE_URL = c.tasklistUrl;
  if (c.connectorsUrl) doc.CAMUNDA_CONNECTORS_BASE_URL = c.connectorsUrl;
  return doc;
}

export function secretsManagerPublisher(
  client: SecretsManagerClient,
  kmsKeyId?: string,
): CredentialPublisher {
  return {
    async publish(name, credentials) {
      const SecretString = JSON.stringify(credentialDocument(credentials));
      try {
        await client.send(new PutSecretValueCommand({ SecretId: name, SecretString }));
      } catch (err) {
        if (!(err instanceof ResourceNotFoundException)) throw err;
        try {
          await client.send(
            new CreateSecretCommand({
              Name: name,
              SecretString,
              Description: `Camunda API client ${credentials.clientName} of cluster ${credentials.clusterName} (written by the morning recreate)`,
              ...(kmsKeyId ? { KmsKeyId: kmsKeyId } : {}),
            }),
          );
        } catch (createErr) {
          // Created meanwhile by a concurrent run: write the value.
          if (!(createErr instanceof ResourceExistsException)) throw createErr;
          await client.send(new PutSecretValueCommand({ SecretId: name, SecretString }));
        }
      }
      // The client id as a tag: lets a later run tell a published client from one whose secret was lost.
      await client.send(
        new TagResourceCommand({
          SecretId: name,
          Tags: [{ Key: CLIENT_ID_TAG, Value: credentials.clientId }],
        }),
      );
      return name;
    },
    async publishedClientId(name) {
      try {
        const out = await client.send(new DescribeSecretCommand({ SecretId: name }));
        return out.Tags?.find((t) => t.Key === CLIENT_ID_TAG)?.Value;
      } catch (err) {
        if (err instanceof ResourceNotFoundException) return undefined;
        throw err;
      }
    },
  };
}

export const CLIENT_ID_TAG = 'camunda:clientId';

/** In memory (npm start, invoke, tests): the last document per name. */
export function memoryPublisher(): CredentialPublisher & { secrets: Map<string, Record<string, string>> } {
  const secrets = new Map<string, Record<string, string>>();
  return {
    secrets,
    async publish(name, credentials) {
      secrets.set(name, credentialDocument(credentials));
      return name;
    },
    async publishedClientId(name) {
      return secrets.get(name)?.CAMUNDA_CLIENT_ID;
    },
  };
}
