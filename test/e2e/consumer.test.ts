/**
 * What a new user does: the packed package installed into separate Pulumi projects outside the
 * repository (one TypeScript project as `pulumi new typescript` writes it, one plain JavaScript
 * project), with only the package's runtime dependencies and no ts-node, driven through the real
 * CLI against the simulator; and the `dsp-audiences` command run from there. The install is lean:
 * DuckDB, pg and the AWS SDK are optional peer dependencies, absent until a project installs them.
 */
import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { simMembers, startSimulatedStack, type SimulatedStack } from "../support/simulated-stack";

const run = promisify(execFile);
const root = path.join(__dirname, "..", "..");
const example = path.join(root, "examples", "library");

interface PackedFile {
  path: string;
  size: number;
}
interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: PackedFile[];
}

/** The packages a spec needs only for some features: none of them is installed with the package. */
const OPTIONAL_PEERS = ["@duckdb/node-api", "pg", "@aws-sdk/client-s3"];

/** The lifecycle scripts npm runs (or lists for approval) when it installs a package. */
const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall", "prepare"];

/** The consumer-js spec with its MAID members from a SQL query on the built-in DuckDB. */
const SQL_SPEC = `version: 1
defaults:
  advertiserId: "5840142710901"
  dataSourceCountry: [US]
audiences:
  sql-openers:
    name: App openers, from a SQL query
    members:
      MAID:
        sql:
          query: SELECT '3b5e9c1a-7d2f-4e8b-9a6c-0f1d2e3c4b5a' AS maid UNION ALL SELECT '5f0e8d7c-6b5a-4948-8372-615049382716'
`;

function installedVersion(pkg: string): string {
  return (JSON.parse(fs.readFileSync(path.join(root, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
}

/** The tsconfig.json that `pulumi new typescript` writes. */
const PULUMI_NEW_TSCONFIG = {
  compilerOptions: {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "commonjs",
    moduleResolution: "node",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  },
  files: ["index.ts"],
};

/** A fresh project folder with the tarball and its program's files, dependencies installed from the registry. */
async function makeConsumer(work: string, name: string, tarball: string, kind: "ts" | "js"): Promise<string> {
  const dir = path.join(work, name);
  fs.mkdirSync(path.join(dir, "ids"), { recursive: true });
  fs.copyFileSync(path.join(example, "audiences.yaml"), path.join(dir, "audiences.yaml"));
  fs.copyFileSync(path.join(example, "ids", "newsletter-cookies.txt"), path.join(dir, "ids", "newsletter-cookies.txt"));
  const pkg: Record<string, unknown> = {
    name,
    private: true,
    dependencies: { "@pulumi/pulumi": installedVersion("@pulumi/pulumi"), "dsp-audiences": `file:${tarball}` },
  };
  if (kind === "ts") {
    fs.copyFileSync(path.join(example, "index.ts"), path.join(dir, "index.ts"));
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(PULUMI_NEW_TSCONFIG, null, 4));
    pkg.devDependencies = { "@types/node": installedVersion("@types/node"), typescript: installedVersion("typescript") };
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime:\n  name: nodejs\n`);
  } else {
    fs.copyFileSync(path.join(__dirname, "fixtures", "consumer-js", "index.js"), path.join(dir, "index.js"));
    pkg.main = "index.js";
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n`);
  }
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2));
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: dir, maxBuffer: 64 << 20 });
  return dir;
}

/** Members the simulator holds for an audience, by ID type. */
async function memberCounts(env: SimulatedStack, audienceId: string): Promise<Record<string, number>> {
  const m = await simMembers(env.sim, audienceId);
  return { COOKIE: m.COOKIE.length, MAID: m.MAID.length, EXTERNAL_USER_ID: m.EXTERNAL_USER_ID.length };
}

describe("the packed package in a separate project (consumer)", function () {
  this.timeout(15 * 60 * 1000);
  let work: string;
  let packed: Packed;

  before(async function () {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-consumer-"));
    // `npm pack` runs the `prepack` build first, so the tarball never holds a stale dist/.
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", work], { cwd: root, maxBuffer: 64 << 20 });
    packed = (JSON.parse(stdout.slice(stdout.indexOf("["))) as Packed[])[0] as Packed;
  });

  after(function () {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("ships compiled JavaScript, types, the schema and the CLI, and nothing of the repository's own", function () {
    const files = packed.files.map((f) => f.path);
    for (const want of ["dist/provider/index.js", "dist/provider/index.d.ts", "dist/provider/dynamic-providers.js", "dist/simulator/index.js", "schema/audiences.schema.json", "bin/dsp-audiences.js", "LICENSE", "README.md", "CHANGELOG.md", "package.json"]) {
      assert.ok(files.includes(want), `${want} is in the tarball`);
    }
    const stray = files.filter((f) => /^(test|bench|engine|scripts|examples|\.ci)\//.test(f) || (f.endsWith(".ts") && !f.endsWith(".d.ts")));
    assert.deepEqual(stray, [], "no tests, bench, engine sources, scripts or TypeScript sources");
    console.log(`      tarball: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} kB packed, ${(packed.unpackedSize / 1024).toFixed(0)} kB unpacked`);
  });

  for (const kind of ["ts", "js"] as const) {
    describe(`a ${kind === "ts" ? "TypeScript" : "JavaScript"} project`, function () {
      let dir: string;
      let env: SimulatedStack;

      before(async function () {
        dir = await makeConsumer(work, `consumer-${kind}`, path.join(work, packed.filename), kind);
        // Type checking on, as in a user's project: the package's .d.ts must satisfy the user's compiler.
        env = await startSimulatedStack("", `consumer${kind}`, { projectDir: dir, env: { PULUMI_NODEJS_TRANSPILE_ONLY: "false" } });
      });

      after(async function () {
        await env?.close();
      });

      it("installs without ts-node, optional packages, install scripts or TypeScript source of the package", function () {
        assert.ok(!fs.existsSync(path.join(dir, "node_modules", "ts-node")), "no ts-node in the consumer");
        for (const pkg of OPTIONAL_PEERS) assert.ok(!fs.existsSync(path.join(dir, "node_modules", pkg)), `${pkg} is not installed`);
        const installed = fs.readdirSync(path.join(dir, "node_modules", "dsp-audiences"), { recursive: true, encoding: "utf8" });
        assert.deepEqual(installed.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")), []);
        const manifest = JSON.parse(fs.readFileSync(path.join(dir, "node_modules", "dsp-audiences", "package.json"), "utf8")) as { scripts?: Record<string, string> };
        assert.deepEqual(
          INSTALL_SCRIPTS.filter((name) => manifest.scripts?.[name] !== undefined),
          [],
          "no script npm would run or ask to approve on install",
        );
        const lock = JSON.parse(fs.readFileSync(path.join(dir, "node_modules", ".package-lock.json"), "utf8")) as { packages: Record<string, unknown> };
        console.log(`      installed: ${Object.keys(lock.packages).filter((k) => k.startsWith("node_modules/")).length} packages`);
      });

      if (kind === "ts") {
        it("type-checks with the project's own compiler and tsconfig, without the optional packages", async function () {
          // The language host type-checks only the program's files; `tsc` also reads the package's declarations.
          await run("npx", ["--no-install", "tsc", "--noEmit", "-p", "."], { cwd: dir });
        });
      }

      it("runs the dsp-audiences command where it is installed", async function () {
        const help = await run("npx", ["--no-install", "dsp-audiences", "--help"], { cwd: dir });
        assert.match(help.stdout, /validate/);
        assert.match(help.stdout, /hash-csv/);
        const valid = await run("npx", ["--no-install", "dsp-audiences", "validate", "audiences.yaml"], { cwd: dir });
        assert.match(valid.stdout + valid.stderr, /audiences\.yaml/);
      });

      it("previews, creates, finds no changes, refreshes and destroys", async function () {
        const preview = await env.run((s) => s.preview());
        assert.equal(preview.code, 0, preview.stdout + preview.stderr);
        assert.match(preview.stdout, /\+250 −0 IDs/, "the hand-written membership's plan");
        assert.match(preview.stdout, /app-openers MAID: \+2 −0 IDs/, "the spec's membership's plan");

        await env.run((s) => s.up());
        const outputs = JSON.parse((await env.run((s) => s.must(["stack", "output", "--json"]))).stdout) as {
          audienceId: string;
          fromSpec: Record<string, { audienceId: string }>;
        };
        assert.match(outputs.audienceId, /^\d{17,}$/, "the int64 audience id, every digit");
        assert.deepEqual(await memberCounts(env, outputs.audienceId), { COOKIE: 250, MAID: 0, EXTERNAL_USER_ID: 0 });
        const specAudience = outputs.fromSpec["app-openers"]?.audienceId ?? "";
        assert.deepEqual(await memberCounts(env, specAudience), { COOKIE: 0, MAID: 2, EXTERNAL_USER_ID: 0 });

        const state = await env.stack.exportState();
        assert.ok(state.includes("dsp-audiences/dynamic-providers"), "providers are loaded by package name");
        assert.ok(!state.includes(dir) && !state.includes(root), "no path of this machine in state");

        const again = await env.run((s) => s.preview(["--expect-no-changes"]));
        assert.equal(again.code, 0, again.stdout + again.stderr);
        await env.run((s) => s.refresh());
        const afterRefresh = await env.run((s) => s.preview(["--expect-no-changes"]));
        assert.equal(afterRefresh.code, 0, afterRefresh.stdout + afterRefresh.stderr);

        await env.run((s) => s.destroy());
        assert.deepEqual(await memberCounts(env, outputs.audienceId), { COOKIE: 0, MAID: 0, EXTERNAL_USER_ID: 0 });
        assert.deepEqual(await memberCounts(env, specAudience), { COOKIE: 0, MAID: 0, EXTERNAL_USER_ID: 0 });
        for (const secret of Object.values(env.secrets)) {
          assert.ok(!env.transcript.join("\n").includes(secret), "no secret in any CLI output");
        }
      });

      it("ends the program with one clean message when the spec is wrong (declareSpecFile)", async function () {
        const spec = path.join(dir, "audiences.yaml");
        fs.writeFileSync(spec, fs.readFileSync(spec, "utf8").replace("    name: App openers, last 30 days\n", "    name: App openers, last 30 days\n    ttl: 99999999\n"));
        const r = await env.run((s) => s.preview());
        const out = `${r.stdout}\n${r.stderr}`;
        assert.notEqual(r.code, 0, out);
        assert.match(out, /audiences\.yaml:\d+:\d+: audiences\.app-openers\.ttl: must be at most 34300800, got 99999999/);
        assert.doesNotMatch(out, /\n\s+at /, `a stack trace in:\n${out}`);
        assert.doesNotMatch(out, /unhandled exception/i, out);
        assert.ok(!out.includes("\x1b["), "no colour codes");
      });

      if (kind === "js") {
        it("stops a spec with a SQL source with one message naming the package to install and the source", async function () {
          fs.writeFileSync(path.join(dir, "audiences.yaml"), SQL_SPEC);
          const r = await env.run((s) => s.preview());
          const out = `${r.stdout}\n${r.stderr}`;
          assert.notEqual(r.code, 0, out);
          assert.match(out, /audiences\.sql-openers\.members\.MAID \(sql source \(built-in DuckDB\)\): a parquet: or sql: source needs the optional package @duckdb\/node-api: run `npm install @duckdb\/node-api`/);
          assert.doesNotMatch(out, /\n\s+at /, `a stack trace in:\n${out}`);
          assert.doesNotMatch(out, /unhandled exception/i, out);
        });

        it("stops with the message naming the AWS SDK when snapshots are to live in S3", async function () {
          fs.copyFileSync(path.join(example, "audiences.yaml"), path.join(dir, "audiences.yaml"));
          await env.run((s) => s.setConfig("dsp:snapshotStore", "s3://snapshots/consumer?endpoint=http://127.0.0.1:9&region=us-east-1"));
          const r = await env.run((s) => s.preview());
          await env.run((s) => s.must(["config", "rm", "dsp:snapshotStore"]));
          const out = `${r.stdout}\n${r.stderr}`;
          assert.notEqual(r.code, 0, out);
          assert.match(out, /error: the snapshot store s3:\/\/snapshots\/consumer needs the optional package @aws-sdk\/client-s3: run `npm install @aws-sdk\/client-s3`/);
          assert.doesNotMatch(out, /\n\s+at /, `a stack trace in:\n${out}`);
          assert.doesNotMatch(out, /unhandled exception/i, out);
        });

        it("reads the SQL source once the project installs @duckdb/node-api", async function () {
          // The version this repository tests with, from the npm cache when it is there.
          await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", `@duckdb/node-api@${installedVersion("@duckdb/node-api")}`], { cwd: dir, maxBuffer: 64 << 20 });
          fs.writeFileSync(path.join(dir, "audiences.yaml"), SQL_SPEC);
          const preview = await env.run((s) => s.preview());
          assert.equal(preview.code, 0, preview.stdout + preview.stderr);
          assert.match(preview.stdout, /sql-openers MAID: \+2 −0 IDs/);
          await env.run((s) => s.up());
          const outputs = JSON.parse((await env.run((s) => s.must(["stack", "output", "--json"]))).stdout) as { fromSpec: Record<string, { audienceId: string }> };
          assert.deepEqual(await memberCounts(env, outputs.fromSpec["sql-openers"]?.audienceId ?? ""), { COOKIE: 0, MAID: 2, EXTERNAL_USER_ID: 0 });
          await env.run((s) => s.destroy());
        });
      }
    });
  }
});
