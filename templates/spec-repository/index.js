// The whole program: declares the audiences of the spec named by `dsp:spec` (default audiences.yaml).
// `pulumi preview` shows what would change, down to the IDs added and removed; `pulumi up` applies it.
const pulumi = require("@pulumi/pulumi");
const { declareSpecFile } = require("dsp-audiences");

const dsp = new pulumi.Config("dsp");
exports.audiences = declareSpecFile(dsp.get("spec") || "audiences.yaml", { reassert: dsp.get("reassert") });
