import * as pulumi from "@pulumi/pulumi";
import type { ConfigLookup } from "../config/dsp-settings";

/** Stack config of the running Pulumi program, looked up by full key (`dsp:spec`). */
export const programConfig: ConfigLookup = (fullKey) => {
  const colon = fullKey.indexOf(":");
  return new pulumi.Config(fullKey.slice(0, colon)).get(fullKey.slice(colon + 1));
};
