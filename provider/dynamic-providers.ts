/**
 * The entry that serialized dynamic providers load at call time, by package name
 * (`dsp-audiences/dynamic-providers`, see `dynamicShim`). The names are part of every stack's
 * state, so they stay stable across versions; each implementation is loaded only when a resource
 * of its kind is touched, which keeps the provider process's start-up small.
 */
import type { ProviderImpl } from "./resources/dynamic-shim";
import { mapOwnStackTracesWhenDebugging } from "./util/own-source-maps";

mapOwnStackTracesWhenDebugging();

const IMPLEMENTATIONS: Readonly<Record<string, () => ProviderImpl>> = {
  audienceProvider: () => (require("./audience/audience-provider") as typeof import("./audience/audience-provider")).audienceProvider,
  membershipProvider: () => (require("./membership/membership-provider") as typeof import("./membership/membership-provider")).membershipProvider,
  hashedRecordsProvider: () => (require("./customer-records/hashed-records-provider") as typeof import("./customer-records/hashed-records-provider")).hashedRecordsProvider,
  userDeletionsProvider: () => (require("./user-deletions/user-deletions-provider") as typeof import("./user-deletions/user-deletions-provider")).userDeletionsProvider,
};

/** The implementation named `name`; throws for a name this version does not know. */
export function loadProvider(name: string): ProviderImpl {
  const load = Object.hasOwn(IMPLEMENTATIONS, name) ? IMPLEMENTATIONS[name] : undefined;
  if (load === undefined) {
    throw new Error(`dsp-audiences: no dynamic provider named "${name}" in this version; known: ${Object.keys(IMPLEMENTATIONS).join(", ")}`);
  }
  return load();
}
