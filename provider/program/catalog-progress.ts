/**
 * Progress of an `up` through the catalog, on the stack's row: how many of the spec's audiences
 * the engine has done with (created, updated or found unchanged), the rate and the time left. At
 * Amazon's 1 metadata request a second, creating 1,000 audiences takes about 17 minutes: this line
 * says where that stands.
 *
 *     audiences: 120 of 1,000 ready (12.0 %), 1 audiences/s, ETA 14 min 40 s
 */
import * as pulumi from "@pulumi/pulumi";
import { progressTicker } from "../provider-process/progress-line";
import type { RegistrationWindow } from "./registration-window";

/** The line's wording (test/e2e/catalog-scale.test.ts reads it). */
export const CATALOG_PROGRESS = { label: "audiences", unit: "audiences", verb: "ready" } as const;

/** Counts the window's finished registrations and logs a line (no resource: the stack's row) every few seconds. */
export function reportCatalogProgress(window: RegistrationWindow, total: number, now: () => number = Date.now): void {
  const ticker = progressTicker({ wording: CATALOG_PROGRESS, total, now, emit: (line) => void pulumi.log.info(line) });
  window.onSettled(() => ticker.tick());
}
