/**
 * The provider process's one {@link ProviderContext}, and the provider objects the engine calls
 * (through the serialized shim) that run each resource kind's lifecycle with it. Every kind shares
 * the context, so they share one client and its throttles. The engine hands every provider of a
 * process the same stack config: the first `configure` builds the context and later ones (one per
 * kind) keep it. Without a `configure` (a caller that skips it), the context is built on first use
 * with no stack config, as before: settings then come from `DSP_*` or their defaults.
 */
import type * as pulumi from "@pulumi/pulumi";
import { createProviderContext, type ProviderContext } from "./provider-context";

export class ProviderHost {
  private current: ProviderContext | undefined;
  private configured = false;

  configure(req: pulumi.dynamic.ConfigureRequest): void {
    if (this.configured) return;
    this.configured = true;
    this.current?.close();
    this.current = createProviderContext({ config: (key) => req.config.get(key) });
  }

  context(): ProviderContext {
    return (this.current ??= createProviderContext());
  }
}

/**
 * The provider of one kind for `host`'s context: `configure` builds the context, and each other
 * method runs the one of `make(context)` (made once per context). It has the methods the kind
 * implements and no others, so the SDK answers for a missing one as it always has.
 */
export function hostedProvider<I, O>(host: ProviderHost, make: (context: ProviderContext) => pulumi.dynamic.ResourceProvider<I, O>): pulumi.dynamic.ResourceProvider<I, O> {
  let made: { context: ProviderContext; provider: pulumi.dynamic.ResourceProvider<I, O> } | undefined;
  const forContext = (): pulumi.dynamic.ResourceProvider<I, O> => {
    const context = host.context();
    if (made?.context !== context) made = { context, provider: make(context) };
    return made.provider;
  };
  // The methods this kind implements, from a provider made with an idle context (nothing is opened).
  const kind = make(createProviderContext({ log: { log: async () => undefined } }));
  const hosted: pulumi.dynamic.ResourceProvider<I, O> = {
    configure: async (req) => host.configure(req),
    create: (inputs) => forContext().create(inputs),
  };
  if (kind.check) hosted.check = (olds, news) => forContext().check!(olds, news);
  if (kind.diff) hosted.diff = (id, olds, news) => forContext().diff!(id, olds, news);
  if (kind.read) hosted.read = (id, props) => forContext().read!(id, props);
  if (kind.update) hosted.update = (id, olds, news) => forContext().update!(id, olds, news);
  if (kind.delete) hosted.delete = (id, props) => forContext().delete!(id, props);
  return hosted;
}
