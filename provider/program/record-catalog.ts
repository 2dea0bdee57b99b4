/**
 * During `pulumi up`, the program writes the stack's catalog record (audience/audience-catalog.ts)
 * for the refreshes that follow: they run without the program. A preview writes nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { writeCatalog } from "../audience/audience-catalog";
import { configuredSnapshotStore } from "../config/snapshot-location";
import { programConfig } from "../resources/program-config";

/** Writes the record; a store that cannot take it costs the refresh its totals only, so that is a warning. */
export async function recordCatalog(audienceKeys: readonly string[], at: Date = new Date()): Promise<void> {
  if (pulumi.runtime.isDryRun()) return;
  try {
    await writeCatalog(configuredSnapshotStore(programConfig), pulumi.getProject(), pulumi.getStack(), audienceKeys, at);
  } catch (error) {
    await pulumi.log.warn(`cannot write the catalog record (a refresh's progress then has no total): ${error instanceof Error ? error.message : String(error)}`);
  }
}
