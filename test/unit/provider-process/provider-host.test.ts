import { strict as assert } from "node:assert";
import type * as pulumi from "@pulumi/pulumi";
import { hostedProvider, ProviderHost } from "../../../provider/provider-process/provider-host";
import type { ProviderContext } from "../../../provider/provider-process/provider-context";

/** A kind whose create answers with the context's `dsp:endpoint` and which remembers every context it was made with. */
function probeKind(made: ProviderContext[]): (context: ProviderContext) => pulumi.dynamic.ResourceProvider<{ n: number }, { n: number }> {
  return (context) => {
    made.push(context);
    return { create: async (inputs) => ({ id: `${context.config("dsp:endpoint") ?? "none"}:${inputs.n}`, outs: inputs }) };
  };
}

const configure = (values: Record<string, string>): pulumi.dynamic.ConfigureRequest => ({ config: { get: (key: string) => values[key] } }) as unknown as pulumi.dynamic.ConfigureRequest;

describe("provider host: one context per provider process, built by configure", () => {
  it("builds the context from configure's stack config, and every kind of the process shares it", async () => {
    const host = new ProviderHost();
    const made: ProviderContext[] = [];
    const a = hostedProvider(host, probeKind(made));
    const b = hostedProvider(host, probeKind(made));
    await a.configure!(configure({ "dsp:endpoint": "https://one" }));
    await b.configure!(configure({ "dsp:endpoint": "https://two" })); // the engine hands every kind the same config: the first one stands
    assert.equal((await a.create({ n: 1 })).id, "https://one:1");
    assert.equal((await b.create({ n: 2 })).id, "https://one:2");
    assert.equal(made.at(-1), made.at(-2), "the same context");
    assert.equal(made.at(-1), host.context());
    await a.create({ n: 3 });
    assert.equal(made.length, 4, "two idle probes, then one provider per kind for the one context");
  });

  it("without configure, builds the context on first use with no stack config, as before", async () => {
    const host = new ProviderHost();
    const provider = hostedProvider(host, probeKind([]));
    assert.equal((await provider.create({ n: 1 })).id, "none:1");
    await provider.configure!(configure({ "dsp:endpoint": "https://late" }));
    assert.equal((await provider.create({ n: 2 })).id, "https://late:2", "a later configure still gives the stack config");
  });

  it("has the methods the kind implements and no others, so the SDK answers for a missing one", () => {
    const host = new ProviderHost();
    const provider = hostedProvider(host, () => ({ create: async () => ({ id: "x" }), diff: async () => ({}) }));
    assert.deepEqual(Object.keys(provider).sort(), ["configure", "create", "diff"]);
  });
});
