/** The package version, read from package.json so there is one place to bump it. */
export const PACKAGE_VERSION: string = (require("../package.json") as { version: string }).version;
