"use strict";
// Compatibility entry for state written by dsp-audiences 0.1.0, whose serialized providers
// require this file from the program's checkout and ask for "./provider/resources/<file>" by
// path. Those names now live in the compiled `dsp-audiences/dynamic-providers` table.
const path = require("path");

function load(_ref, exportName) {
  return require(path.join(__dirname, "..", "..", "dist", "provider", "dynamic-providers.js")).loadProvider(exportName);
}

module.exports = { load };
