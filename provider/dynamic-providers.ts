/**
 * The entry that serialized dynamic providers load at call time, by package name
 * (`dsp-audiences/dynamic-providers`, see `dynamicShim`). The names are part of every stack's
 * state, so they stay stable across versions; each implementation is loaded only when a resource
 * of its kind is touched, which keeps the provider process's start-up small. Every kind runs with
 * the process's one provider context (provider-process/provider-host.ts), which `configure` builds.
 */
import type { ProviderImpl } from "./resources/dynamic-shim";
import { hostedProvider, ProviderHost } from "./provider-process/provider-host";
import { mapOwnStackTracesWhenDebugging } from "./util/own-source-maps";

mapOwnStackTracesWhenDebugging();

const host = new ProviderHost();

const IMPLEMENTATIONS: Readonly<Record<string, () => ProviderImpl>> = {
  audienceProvider: () => hostedProvider(host, (require("./audience/audience-provider") as typeof import("./audience/audience-provider")).makeAudienceProvider),
  membershipProvider: () => hostedProvider(host, (require("./membership/membership-provider") as typeof import("./membership/membership-provider")).makeMembershipProvider),
  hashedRecordsProvider: () => hostedProvider(host, (require("./customer-records/hashed-records-provider") as typeof import("./customer-records/hashed-records-provider")).makeHashedRecordsProvider),
  userDeletionsProvider: () => hostedProvider(host, (require("./user-deletions/user-deletions-provider") as typeof import("./user-deletions/user-deletions-provider")).makeUserDeletionsProvider),
};

/** The providers loaded so far, one per name (the shim asks on every call). */
const loaded = new Map<string, ProviderImpl>();

/** The implementation named `name`; throws for a name this version does not know. */
export function loadProvider(name: string): ProviderImpl {
  const load = Object.hasOwn(IMPLEMENTATIONS, name) ? IMPLEMENTATIONS[name] : undefined;
  if (load === undefined) {
    throw new Error(`dsp-audiences: no dynamic provider named "${name}" in this version; known: ${Object.keys(IMPLEMENTATIONS).join(", ")}`);
  }
  let provider = loaded.get(name);
  if (provider === undefined) loaded.set(name, (provider = load()));
  return provider;
}
