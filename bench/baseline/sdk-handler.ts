// The cold-start baseline: a Lambda handler making the same Console call the jobs start with (list the
// clusters) through Camunda's own SDK, written as Camunda's docs and Powertools recommend: the client is
// built once at module scope and the handler only calls it. Bundled exactly like the project's functions.
import { Camunda8 } from '@camunda8/sdk';

const admin = new Camunda8().getAdminApiClient();

export const handler = async (): Promise<{ clusters: number }> => {
  const clusters = await admin.getClusters();
  return { clusters: clusters.length };
};
