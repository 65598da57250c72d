// Stands in for `@stablelib/base64` in the function bundles only (an esbuild alias, see ../function-bundle.ts).
// standardwebhooks decodes the signing secret and encodes signatures with it; Node's Buffer does the coding,
// and this module keeps the package's strictness, which Buffer lacks: a string with a character outside
// the standard alphabet or more than two '=' is refused with the package's messages, so a malformed secret
// fails as it does under tsx. test/infra/bundle-stand-ins.test.ts compares both on arbitrary strings.

const STANDARD_ALPHABET = /^[A-Za-z0-9+/]*$/;

/** Standard base64 with padding, as `@stablelib/base64`'s `encode`. */
export function encode(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}

/** As `@stablelib/base64`'s `decode`, whose quirks it keeps (see the comments). */
export function decode(text: string): Uint8Array {
  if (text.length === 0) return new Uint8Array(0);
  const unpadded = text.replace(/=+$/, '');
  if (text.length < 4 || text.length - unpadded.length > 2) throw new Error('Base64Coder: incorrect padding');
  // The package never reads a lone last character of a group (it carries no whole byte), so it is not checked.
  const read = unpadded.length % 4 === 1 ? unpadded.slice(0, -1) : unpadded;
  if (!STANDARD_ALPHABET.test(read)) throw new Error('Base64Coder: incorrect characters for decoding');
  return new Uint8Array(Buffer.from(read, 'base64'));
}
