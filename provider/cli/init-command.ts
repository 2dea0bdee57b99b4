/**
 * `dsp-audiences init [<dir>]`: a new spec repository from the package's template, the same files
 * `pulumi new <template folder> --yes` writes, for teams that start from npm. Never overwrites a file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PACKAGE_ROOT } from "../version";
import { parseCommandLine, UsageError, type CommandSpec } from "../util/command-line";
import { processIo, type CommandIo } from "./command-io";
import { instantiateTemplate, PROJECT_NAME, projectNameFromFolder, TEMPLATE_DIR, templateDescription } from "./spec-repository-template";

/** The command's arguments and options; its parser and its help. */
export const INIT_COMMAND = {
  name: "init",
  summary: "start a spec repository: Pulumi.yaml, package.json, the program, a commented spec, workflows",
  description:
    "Writes the files `pulumi new` makes from the package's templates/spec-repository: Pulumi.yaml (with the\n" +
    "settings a stack needs), package.json, index.js, audiences.yaml and an ID file, .gitignore, README.md and\n" +
    "the three GitHub Actions workflows. Existing files are never overwritten.",
  arguments: [{ name: "dir", description: "the folder to write into (created when missing)", default: "the current folder" }],
  options: {
    name: { type: "string", value: "<project>", description: "the Pulumi project name (letters, digits, _ - .)", default: "the folder's name" },
    description: { type: "string", value: "<text>", description: "the project's description", default: "the template's" },
  },
  exitCodes: { 0: "the files are written", 1: "some of the files exist already: nothing was written", 2: "usage error" },
} as const satisfies CommandSpec;

/** Every file under `dir`, by path relative to it ("/" separated). */
export function readTemplateFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const rel of fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).sort()) {
    const full = path.join(dir, rel);
    if (fs.statSync(full).isFile()) files.set(rel.split(path.sep).join("/"), fs.readFileSync(full, "utf8"));
  }
  return files;
}

/** Runs the command; returns the exit code (see INIT_COMMAND.exitCodes). @throws UsageError */
export async function initCommand(args: readonly string[], io: CommandIo = processIo, templateDir = path.join(PACKAGE_ROOT, TEMPLATE_DIR)): Promise<number> {
  const { values, positionals } = parseCommandLine(INIT_COMMAND, args);
  const target = path.resolve(positionals[0] ?? ".");
  const project = values.name ?? projectNameFromFolder(path.basename(target));
  if (!PROJECT_NAME.test(project)) throw new UsageError("--name may hold only letters, digits, _ - and . (at most 100)");
  const template = readTemplateFiles(templateDir);
  const description = values.description ?? templateDescription(template.get("Pulumi.yaml") ?? "");
  const files = instantiateTemplate(template, { project, description });
  const shown = path.relative(process.cwd(), target) || ".";
  const existing = [...files.keys()].filter((rel) => fs.existsSync(path.join(target, rel)));
  if (existing.length > 0) {
    io.err(`✗ ${shown}: ${existing.join(", ")} exist${existing.length === 1 ? "s" : ""} already; nothing was written\n`);
    return 1;
  }
  for (const [rel, text] of files) {
    fs.mkdirSync(path.dirname(path.join(target, rel)), { recursive: true });
    fs.writeFileSync(path.join(target, rel), text);
  }
  io.out(`✓ ${shown}: ${files.size} files for project ${project}`);
  io.out(
    [
      "next:",
      ...(shown === "." ? [] : [`  cd ${shown}`]),
      "  npm install",
      "  pulumi login file://~/.dsp-state            # or your team's backend (s3://…)",
      "  pulumi stack init prod",
      "  pulumi config set dsp:region NA             # or dsp:endpoint <url> for `npx dsp-audiences sim`",
      "  pulumi config set dsp:clientId …; pulumi config set --secret dsp:clientSecret …; … --secret dsp:refreshToken …",
      "  npx dsp-audiences validate",
      "  pulumi preview",
    ].join("\n"),
  );
  return 0;
}
