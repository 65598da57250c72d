// The Secrets Manager API calls (and service events) recorded by CloudTrail that change what a secrets-sync
// source provides. One list for the function that answers them and the stack's rule that routes them, here
// in the leaf layer so that synth does not load handler code.
export const SECRET_CHANGE_EVENTS = [
  'PutSecretValue',
  'UpdateSecret',
  'RotationSucceeded',
  'DeleteSecret',
  'RestoreSecret',
  'CreateSecret',
  'TagResource',
  'UntagResource',
] as const;
