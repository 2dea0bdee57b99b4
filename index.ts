/**
 * The Pulumi program: reads the spec named by `dsp:spec` (default `audiences.yaml`) and declares
 * its audiences and memberships. Credentials and the endpoint are read by the provider at call
 * time from `dsp:*` stack config or DSP_* environment variables (see README).
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { declareSpec } from "./provider/program/declare-spec";
import { reassertToken } from "./provider/gitops/reassert-token";
import { loadSpec } from "./provider/spec";

const config = new pulumi.Config("dsp");

export = loadSpec(path.resolve(config.get("spec") ?? "audiences.yaml")).then((spec) => {
  // dsp:reassert re-asserts once per new value; settings.reassertAfterDays also once per N-day period.
  const reassert = reassertToken({ manual: config.get("reassert"), everyDays: spec.settings.reassertAfterDays });
  return { audiences: declareSpec(spec, reassert === undefined ? {} : { reassertToken: reassert }) };
});
