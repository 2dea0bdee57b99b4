/**
 * A stand-in for the GitHub CLI's `gh api`, enough for the comment step of the example PR
 * workflow: list, create and edit issue comments, kept in a JSON file the test can read. `--jq`
 * filters go through the real `jq` when it is installed (as on GitHub's runners); without it
 * only the workflow's own filter is understood.
 */
import * as fs from "fs";
import * as path from "path";

export interface FakeGitHubState {
  comments: Array<{ id: number; body: string }>;
  calls: Array<{ method: string; endpoint: string }>;
}

const SCRIPT = String.raw`#!/usr/bin/env node
"use strict";
const fs = require("fs");
const { execFileSync } = require("child_process");
const state = process.env.FAKE_GH_STATE;
const args = process.argv.slice(2);
if (args[0] !== "api") { console.error("fake gh: only 'gh api' is supported"); process.exit(2); }
if (!process.env.GH_TOKEN) { console.error("fake gh: GH_TOKEN is not set"); process.exit(4); }
let method = "GET", endpoint, jq, fields = {};
for (let i = 1; i < args.length; i++) {
  const a = args[i];
  if (a === "--paginate") continue;
  else if (a === "--method" || a === "-X") method = args[++i];
  else if (a === "--jq" || a === "-q") jq = args[++i];
  else if (a === "-F" || a === "--field" || a === "-f" || a === "--raw-field") {
    const kv = args[++i]; const k = kv.slice(0, kv.indexOf("=")); let v = kv.slice(kv.indexOf("=") + 1);
    if ((a === "-F" || a === "--field") && v.startsWith("@")) v = fs.readFileSync(v.slice(1), "utf8");
    fields[k] = v;
  } else if (a.startsWith("-")) { console.error("fake gh: unsupported flag " + a); process.exit(2); }
  else endpoint = a;
}
const s = JSON.parse(fs.readFileSync(state, "utf8"));
s.calls.push({ method, endpoint });
let m, result;
if (method === "GET" && (m = /^repos\/[^/]+\/[^/]+\/issues\/\d+\/comments$/.exec(endpoint))) result = s.comments;
else if (method === "POST" && (m = /^repos\/[^/]+\/[^/]+\/issues\/\d+\/comments$/.exec(endpoint))) {
  result = { id: 1000 + s.comments.length, body: fields.body }; s.comments.push(result);
} else if (method === "PATCH" && (m = /^repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(endpoint))) {
  result = s.comments.find((c) => c.id === Number(m[1]));
  if (!result) { console.error("gh: Not Found (HTTP 404)"); process.exit(1); }
  result.body = fields.body;
} else { console.error("fake gh: unsupported call " + method + " " + endpoint); process.exit(2); }
fs.writeFileSync(state, JSON.stringify(s));
const json = JSON.stringify(result);
if (jq === undefined) { process.stdout.write(json + "\n"); process.exit(0); }
try {
  process.stdout.write(execFileSync("jq", ["-r", jq], { input: json, encoding: "utf8" }));
} catch (e) {
  if (e.code !== "ENOENT") throw e;
  if (jq !== ".[] | select(.body | startswith(env.MARKER)) | .id") { console.error("fake gh: no jq to run " + jq); process.exit(2); }
  for (const c of result) if (c.body.startsWith(process.env.MARKER)) process.stdout.write(c.id + "\n");
}
`;

/** Writes the fake `gh` into `binDir` and an empty store to `stateFile`. Put binDir on PATH and FAKE_GH_STATE=stateFile in the env. */
export function installFakeGh(binDir: string, stateFile: string): void {
  fs.mkdirSync(binDir, { recursive: true });
  fs.writeFileSync(path.join(binDir, "gh"), SCRIPT, { mode: 0o755 });
  fs.writeFileSync(stateFile, JSON.stringify({ comments: [], calls: [] } satisfies FakeGitHubState));
}

export function readFakeGitHub(stateFile: string): FakeGitHubState {
  return JSON.parse(fs.readFileSync(stateFile, "utf8")) as FakeGitHubState;
}
