import * as fs from "fs";
import * as path from "path";

/** The nearest package.json above `dir` that is this package's (the same from sources and from dist/). */
function ownPackageJson(dir: string): { name: string; version: string; root: string } {
  for (let d = dir; ; d = path.dirname(d)) {
    const file = path.join(d, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "dsp-audiences" && typeof pkg.version === "string") return { name: pkg.name, version: pkg.version, root: d };
    }
    if (path.dirname(d) === d) throw new Error(`dsp-audiences: no package.json of this package above ${dir}`);
  }
}

const OWN_PACKAGE = ownPackageJson(__dirname);

/** The package version, read from package.json so there is one place to bump it. */
export const PACKAGE_VERSION: string = OWN_PACKAGE.version;

/** The package's folder (the checkout, or where npm installed it): `templates/` and `schema/` are there. */
export const PACKAGE_ROOT: string = OWN_PACKAGE.root;
