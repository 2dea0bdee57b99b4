"use strict";
// The Pulumi program of this repository (Pulumi.yaml `main`): index.ts compiled by `npm run build`.
// It stays at the project root because the engine runs a program in the folder of its `main`
// file, and the spec and the snapshot store are found from there.
module.exports = require("./dist/index.js");
