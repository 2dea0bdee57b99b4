import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  currentBackendUrl,
  readSetting,
  resolveDspCredentials,
  resolveDspEndpoint,
  resolveSnapshotDir,
  type ConfigLookup,
} from "../../../provider/config/dsp-settings";

const config = (values: Record<string, string>): ConfigLookup => (key) => values[key];

describe("dsp settings", () => {
  it("prefers stack config over the environment, and ignores empty values", () => {
    assert.equal(readSetting("region", config({ "dsp:region": "EU" }), { DSP_REGION: "FE" }), "EU");
    assert.equal(readSetting("region", config({ "dsp:region": "" }), { DSP_REGION: "FE" }), "FE");
    assert.equal(readSetting("region", config({}), {}), undefined);
  });

  it("resolves a region to Amazon's hosts and a custom endpoint to the simulator's layout", () => {
    assert.deepEqual(resolveDspEndpoint(config({ "dsp:region": "eu" }), {}), {
      apiUrl: "https://advertising-api-eu.amazon.com",
      tokenUrl: "https://api.amazon.co.uk/auth/o2/token",
    });
    assert.deepEqual(resolveDspEndpoint(config({ "dsp:endpoint": "http://127.0.0.1:9/", "dsp:region": "NA" }), {}), {
      apiUrl: "http://127.0.0.1:9",
      tokenUrl: "http://127.0.0.1:9/auth/o2/token",
    });
    assert.deepEqual(
      resolveDspEndpoint(config({}), { DSP_ENDPOINT: "https://proxy.example", DSP_TOKEN_ENDPOINT: "https://lwa.example/token" }),
      { apiUrl: "https://proxy.example", tokenUrl: "https://lwa.example/token" },
    );
  });

  it("says how to configure an endpoint when none is set", () => {
    assert.throws(() => resolveDspEndpoint(config({}), {}), /dsp:region NA\|EU\|FE.*dsp:endpoint/s);
  });

  it("names every missing credential by key and variable, never by value", () => {
    const err = (() => {
      try {
        resolveDspCredentials(config({ "dsp:clientId": "amzn1.id" }), { DSP_REFRESH_TOKEN: "Atzr|secret-refresh" });
        return undefined;
      } catch (e) {
        return e as Error;
      }
    })();
    assert.ok(err);
    assert.match(err.message, /dsp:clientSecret \(or DSP_CLIENT_SECRET\)/);
    assert.doesNotMatch(err.message, /refreshToken|secret-refresh|amzn1\.id/);
    assert.deepEqual(
      resolveDspCredentials(config({ "dsp:clientId": "a", "dsp:clientSecret": "b" }), { DSP_REFRESH_TOKEN: "c" }),
      { clientId: "a", clientSecret: "b", refreshToken: "c" },
    );
  });

  it("finds the backend from PULUMI_BACKEND_URL, else the current login in PULUMI_HOME", () => {
    assert.equal(currentBackendUrl({ PULUMI_BACKEND_URL: "file:///x" }), "file:///x");
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-home-"));
    fs.writeFileSync(path.join(home, "credentials.json"), JSON.stringify({ current: "file:///state" }));
    assert.equal(currentBackendUrl({ PULUMI_HOME: home }), "file:///state");
    assert.equal(currentBackendUrl({ PULUMI_HOME: path.join(home, "none") }), undefined);
    fs.rmSync(home, { recursive: true });
  });

  it("puts snapshots beside a file backend, or where dsp:snapshotDir says, else in the program folder", () => {
    assert.deepEqual(resolveSnapshotDir(config({}), "/prog", { PULUMI_BACKEND_URL: "file:///srv/state" }), {
      dir: "/srv/state/.dsp-audiences/snapshots",
      followsBackend: true,
    });
    assert.deepEqual(resolveSnapshotDir(config({ "dsp:snapshotDir": "snaps" }), "/prog", { PULUMI_BACKEND_URL: "file:///srv/state" }), {
      dir: "/prog/snaps",
      followsBackend: true,
    });
    assert.deepEqual(resolveSnapshotDir(config({}), "/prog", { PULUMI_BACKEND_URL: "https://api.pulumi.com" }), {
      dir: "/prog/.dsp-audiences/snapshots",
      followsBackend: false,
    });
  });
});
