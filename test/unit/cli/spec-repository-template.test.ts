import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { initCommand, readTemplateFiles } from "../../../provider/cli/init-command";
import type { CommandIo } from "../../../provider/cli/command-io";
import {
  instantiateTemplate,
  projectNameFromFolder,
  TEMPLATE_DIR,
  TEMPLATE_GITIGNORE,
  templateDescription,
  withoutTemplateSection,
} from "../../../provider/cli/spec-repository-template";
import { validateSpecCommand } from "../../../provider/spec";

const ROOT = path.join(__dirname, "..", "..", "..");
const TEMPLATE = path.join(ROOT, TEMPLATE_DIR);
const ownPackage = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string; files: string[]; dependencies: Record<string, string> };

function testIo(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (t) => stderr.push(t), env: {}, errIsTty: false, now: () => 0 };
}

describe("cli/spec-repository-template and init", () => {
  let work: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "init-"));
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  it("is shipped, depends on this package's version and its Pulumi SDK range, and holds the .gitignore init writes", () => {
    assert.ok(ownPackage.files.includes("templates"));
    const pkg = JSON.parse(fs.readFileSync(path.join(TEMPLATE, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    assert.deepEqual(pkg.dependencies, { "@pulumi/pulumi": ownPackage.dependencies["@pulumi/pulumi"], "dsp-audiences": `^${ownPackage.version}` });
    assert.equal(fs.readFileSync(path.join(TEMPLATE, ".gitignore"), "utf8"), TEMPLATE_GITIGNORE);
  });

  it("has the repository's example workflows, unchanged", () => {
    const examples = path.join(ROOT, "examples", "github-actions");
    const workflows = path.join(TEMPLATE, ".github", "workflows");
    const yml = (dir: string): string[] => fs.readdirSync(dir).filter((f) => f.endsWith(".yml")).sort();
    assert.deepEqual(yml(workflows), yml(examples));
    for (const f of yml(examples)) assert.equal(fs.readFileSync(path.join(workflows, f), "utf8"), fs.readFileSync(path.join(examples, f), "utf8"), f);
  });

  it("declares the settings a stack needs in Pulumi.yaml, the secret ones marked", () => {
    const project = parse(fs.readFileSync(path.join(TEMPLATE, "Pulumi.yaml"), "utf8")) as { name: string; description: string; template: { description: string; config: Record<string, { secret?: boolean }> } };
    assert.equal(project.name, "${PROJECT}");
    assert.equal(project.description, "${DESCRIPTION}");
    assert.deepEqual(Object.keys(project.template.config), ["dsp:spec", "dsp:region", "dsp:clientId", "dsp:clientSecret", "dsp:refreshToken"]);
    const secrets = Object.entries(project.template.config).filter(([, c]) => c.secret === true).map(([k]) => k);
    assert.deepEqual(secrets, ["dsp:clientSecret", "dsp:refreshToken"]);
  });

  it("replaces the placeholders everywhere and drops the template section, as pulumi new does", () => {
    const files = instantiateTemplate(readTemplateFiles(TEMPLATE), { project: "crm-audiences", description: "Our audiences" });
    for (const [name, text] of files) assert.ok(!name.includes("${") && !text.includes("${PROJECT}") && !text.includes("${DESCRIPTION}"), name);
    const project = parse(files.get("Pulumi.yaml") as string) as Record<string, unknown>;
    assert.equal(project.name, "crm-audiences");
    assert.equal(project.description, "Our audiences");
    assert.equal(project.template, undefined);
    assert.equal((JSON.parse(files.get("package.json") as string) as { name: string }).name, "crm-audiences");
    assert.equal(withoutTemplateSection("name: x\ntemplate:\n  a: 1\n\n  b: 2\nmain: y\n"), "name: x\nmain: y\n");
    assert.equal(templateDescription(fs.readFileSync(path.join(TEMPLATE, "Pulumi.yaml"), "utf8")), "Amazon DSP audiences from a YAML spec, previewed on pull requests and applied on merge");
  });

  it("names the project after the folder, as Pulumi allows", () => {
    assert.equal(projectNameFromFolder("My Audiences (2026)"), "My-Audiences-2026");
    assert.equal(projectNameFromFolder("###"), "dsp-audiences-spec");
  });

  it("init writes the files, with a spec that validates, and says what to do next", async () => {
    const target = path.join(work, "crm-audiences");
    const io = testIo();
    assert.equal(await initCommand([target, "--description", "CRM audiences"], io), 0);
    const written = fs.readdirSync(target, { recursive: true, encoding: "utf8" }).filter((f) => fs.statSync(path.join(target, f)).isFile()).sort();
    assert.deepEqual(written, [
      ".github/workflows/apply-on-main.yml",
      ".github/workflows/drift-check.yml",
      ".github/workflows/plan-on-pull-request.yml",
      ".gitignore",
      "Pulumi.yaml",
      "README.md",
      "audiences.yaml",
      "ids/newsletter-cookies.txt",
      "index.js",
      "package.json",
    ]);
    assert.match(io.stdout[0] as string, /^✓ .*crm-audiences: 10 files for project crm-audiences$/);
    assert.match(io.stdout[1] as string, /^next:\n {2}cd .*crm-audiences\n {2}npm install\n/);
    assert.match(fs.readFileSync(path.join(target, "README.md"), "utf8"), /^# crm-audiences\n\nCRM audiences\./);
    const lines: string[] = [];
    assert.equal(await validateSpecCommand(path.join(target, "audiences.yaml"), (l) => lines.push(l)), 0, lines.join("\n"));
    assert.match(lines[0] as string, /audiences\.yaml: 1 audience, 0 inline IDs, 1 ID file$/);
  });

  it("init writes nothing when a file it would write exists, and says which", async () => {
    fs.writeFileSync(path.join(work, "audiences.yaml"), "mine\n");
    const io = testIo();
    assert.equal(await initCommand([work], io), 1);
    assert.match(io.stderr.join(""), /: audiences\.yaml exists already; nothing was written\n$/);
    assert.deepEqual(fs.readdirSync(work), ["audiences.yaml"]);
    assert.equal(fs.readFileSync(path.join(work, "audiences.yaml"), "utf8"), "mine\n");
  });

  it("writes the .gitignore even from a copy without one (npm leaves .gitignore files out of packages)", async () => {
    const copy = path.join(work, "packed-template");
    fs.cpSync(TEMPLATE, copy, { recursive: true });
    fs.rmSync(path.join(copy, ".gitignore"));
    const target = path.join(work, "from-npm");
    assert.equal(await initCommand([target], testIo(), copy), 0);
    assert.equal(fs.readFileSync(path.join(target, ".gitignore"), "utf8"), TEMPLATE_GITIGNORE);
  });
});
