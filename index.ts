/**
 * The Pulumi program: reads the spec named by `dsp:spec` (default `audiences.yaml`) and declares
 * its audiences and memberships (see provider/program/run-spec-program.ts). Credentials and the
 * endpoint are read by the provider at call time from `dsp:*` stack config or DSP_* environment
 * variables (see README).
 */
import * as pulumi from "@pulumi/pulumi";
import { runSpecProgram } from "./provider/program/run-spec-program";

export = runSpecProgram(new pulumi.Config("dsp"));
