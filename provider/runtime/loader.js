"use strict";
// Entry point that serialized dynamic providers require at call time (see dynamic-shim.ts).
// It is plain JavaScript because the dynamic-provider process that the Pulumi engine starts has
// no TypeScript support of its own: the first call registers ts-node (transpile only; type
// checking is `npm run typecheck`'s job) and then loads the real implementation.
const path = require("path");

function ensureTypeScript() {
  if (require.extensions[".ts"]) return;
  require("ts-node").register({
    transpileOnly: true,
    project: path.join(__dirname, "..", "..", "tsconfig.json"),
  });
}

/**
 * Loads `exportName` from the module at `ref`, resolved from the working directory of the
 * provider process (the Pulumi program's folder), exactly as the shim computed it.
 */
function load(ref, exportName) {
  ensureTypeScript();
  const resolved = ref.startsWith(".") ? path.resolve(process.cwd(), ref) : ref;
  const mod = require(resolved);
  const value = mod[exportName];
  if (value === undefined) {
    throw new Error(`dsp-audiences: ${ref} has no export ${exportName}`);
  }
  return value;
}

module.exports = { load };
