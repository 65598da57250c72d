// Stands in for `node:process` in the function bundles only (an esbuild alias, see ../function-bundle.ts).
// Importing `node:process` as an ES module builds a facade that reads every property of `process`, and reading
// `stdin` opens the standard input stream (loading Node's file and tty streams) at every cold start. The bundles
// import `env` and `versions` from it (the SDK's user agent): here they are the global `process`'s own. Any
// other name imported from `node:process` fails the bundling.
export const { env, versions } = process;
export default process;
