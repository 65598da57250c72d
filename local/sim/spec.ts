// The Console API contract, read from the committed OpenAPI spec: which operation a request is, and
// whether its JSON body validates against that operation's request schema. Shared by the simulator
// (which rejects what the real API would reject) and the client's conformance test.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const SPEC_PATH = new URL('../../lib/console/spec/openapi.json', import.meta.url);

interface Operation {
  operationId: string;
  requestBody?: { required?: boolean; content: Record<string, { schema: object }> };
  security?: Array<Record<string, string[]>>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
}

export const spec: Spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8'));

export interface MatchedOperation {
  operationId: string;
  method: string;
  template: string;
  params: Record<string, string>;
  needsAuth: boolean;
  hasBody: boolean;
}

interface CompiledRoute {
  method: string;
  template: string;
  regex: RegExp;
  names: string[];
  op: Operation;
  validate?: ValidateFunction;
}

// ajv-formats ships as CJS with a default export; under NodeNext the default is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
ajv.addSchema({ components: spec.components }, 'spec');

function rewriteRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rewriteRefs);
  if (schema && typeof schema === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema)) {
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `spec${v}` : rewriteRefs(v);
    }
    return out;
  }
  return schema;
}

const routes: CompiledRoute[] = [];
for (const [template, ops] of Object.entries(spec.paths)) {
  const names: string[] = [];
  const pattern = template
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\\?\{([^}]+)\\?\}|\{([^}]+)\}/g, (_m, a, b) => {
      names.push(a ?? b);
      return '([^/]+)';
    });
  for (const [method, op] of Object.entries(ops)) {
    const schema = op.requestBody?.content['application/json']?.schema;
    routes.push({
      method: method.toUpperCase(),
      template,
      regex: new RegExp(`^${pattern}$`),
      names,
      op,
      validate: schema ? ajv.compile(rewriteRefs(schema) as object) : undefined,
    });
  }
}
// Literal segments win over parameters (/clusters/parameters is not /clusters/{clusterUuid}).
routes.sort((a, b) => a.names.length - b.names.length);

/** The spec operation a request maps to, or undefined when the spec has no such method and path. */
export function matchOperation(method: string, pathname: string): MatchedOperation | undefined {
  for (const r of routes) {
    if (r.method !== method.toUpperCase()) continue;
    const m = r.regex.exec(pathname);
    if (!m) continue;
    const params: Record<string, string> = {};
    r.names.forEach((n, i) => {
      params[n] = decodeURIComponent(m[i + 1] ?? '');
    });
    return {
      operationId: r.op.operationId,
      method: r.method,
      template: r.template,
      params,
      needsAuth: (r.op.security ?? [{ bearer: [] }]).length > 0,
      hasBody: Boolean(r.op.requestBody),
    };
  }
  return undefined;
}

export type BodyCheck = { ok: true } | { ok: false; reason: string };

/** Validates a parsed JSON body against the operation's request schema. */
export function validateRequestBody(method: string, pathname: string, body: unknown): BodyCheck {
  const route = routes.find((r) => r.method === method.toUpperCase() && r.regex.test(pathname));
  if (!route) return { ok: false, reason: `no operation ${method.toUpperCase()} ${pathname} in the spec` };
  if (!route.validate) {
    return body === undefined ? { ok: true } : { ok: false, reason: `${route.op.operationId} takes no body` };
  }
  if (body === undefined) {
    return route.op.requestBody?.required ? { ok: false, reason: 'request body is required' } : { ok: true };
  }
  if (route.validate(body)) return { ok: true };
  const reason = (route.validate.errors ?? [])
    .map(
      (e) =>
        `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` '${String(e.params.additionalProperty)}'` : ''}`,
    )
    .join('; ');
  return { ok: false, reason };
}

// Response schemas. The live API adds fields although the spec marks objects `additionalProperties: false`
// (FACTS.md), and the simulator returns such extra fields on purpose so that clients learn to ignore them.
// So a response is checked for every documented constraint (required fields, types, enums, formats, schemas
// of additional properties) except the ban on undocumented fields.
function lenient(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(lenient);
  if (schema && typeof schema === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'additionalProperties' && v === false) continue;
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `lenient${v}` : lenient(v);
    }
    return out;
  }
  return schema;
}

const responseAjv = new Ajv({ strict: false, allErrors: true });
addFormats(responseAjv);
responseAjv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
responseAjv.addSchema({ components: lenient(spec.components) as object }, 'lenient');
const responseValidators = new Map<string, ValidateFunction | null>();

interface ResponseSpec {
  content?: Record<string, { schema: object }>;
}

/**
 * Validates a JSON response body against the operation's schema for that status (undocumented fields
 * allowed, see above). A status the spec does not document, or one without a JSON schema, passes.
 */
export function validateResponseBody(
  method: string,
  pathname: string,
  status: number,
  body: unknown,
): BodyCheck {
  const route = routes.find((r) => r.method === method.toUpperCase() && r.regex.test(pathname));
  if (!route) return { ok: false, reason: `no operation ${method.toUpperCase()} ${pathname} in the spec` };
  const key = `${route.method} ${route.template} ${status}`;
  let validate = responseValidators.get(key);
  if (validate === undefined) {
    const responses = (route.op as Operation & { responses?: Record<string, ResponseSpec> }).responses ?? {};
    const schema = responses[String(status)]?.content?.['application/json']?.schema;
    validate = schema ? responseAjv.compile(lenient(schema) as object) : null;
    responseValidators.set(key, validate);
  }
  if (validate === null || validate(body)) return { ok: true };
  const reason = (validate.errors ?? [])
    .map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}`)
    .join('; ');
  return { ok: false, reason: `${route.op.operationId} ${status}: ${reason}` };
}
