// What the Console API takes as a connector secret name: checked by the config (secretsSync names) and by the
// sync before it writes a name a source secret gave.

/** A connector secret name part: letters, digits and `_` (as connectors reference `{{secrets.NAME}}`). */
export const CONNECTOR_SECRET_NAME = /^[A-Za-z0-9_]+$/;
/** The Console API refuses longer names ('Secret name must be less than 50 characters'). */
export const MAX_CONNECTOR_SECRET_NAME = 49;
