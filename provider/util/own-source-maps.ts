/**
 * Stack traces mapped to this package's TypeScript sources, when debugging. The build removes the
 * `sourceMappingURL` line from the compiled files (scripts/unlink-source-maps.js): the Pulumi SDK
 * formats a stack for every resource and promise through `source-map-support`, and mapping our
 * frames was a per-resource cost nobody reads. The `.js.map` files are still shipped; with
 * `DSP_AUDIENCES_DEBUG=1` this hands them to the SDK's `source-map-support`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { debugging } from "./debug";

/** What this module uses of `source-map-support`. */
interface SourceMapSupport {
  install(options: { retrieveSourceMap(source: string): { url: string; map: string } | null }): void;
}

/** The compiled package's root (`dist/`), two folders above this file. */
const PACKAGE_ROOT = path.resolve(__dirname, "..", "..");

let installed = false;

/** With DSP_AUDIENCES_DEBUG=1, maps this package's frames through its `.js.map` files; else nothing. */
export function mapOwnStackTracesWhenDebugging(env: NodeJS.ProcessEnv = process.env): void {
  if (installed || !debugging(env)) return;
  installed = true;
  let support: SourceMapSupport;
  try {
    // The instance the SDK installed, found from the SDK's own folder.
    support = createRequire(require.resolve("@pulumi/pulumi"))("source-map-support") as SourceMapSupport;
  } catch {
    return; // outside a Pulumi program there is nothing to hand the maps to
  }
  support.install({
    retrieveSourceMap: (source) => {
      if (!source.startsWith(PACKAGE_ROOT + path.sep) || !source.endsWith(".js")) return null;
      try {
        return { url: `${source}.map`, map: fs.readFileSync(`${source}.map`, "utf8") };
      } catch {
        return null;
      }
    },
  });
}
