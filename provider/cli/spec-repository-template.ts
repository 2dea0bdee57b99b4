/**
 * The spec-repository template (templates/spec-repository/) as `pulumi new` instantiates it:
 * `${PROJECT}` and `${DESCRIPTION}` replaced in every file's name and text, and the `template:`
 * section left out of Pulumi.yaml. Pure: file texts in, file texts out.
 */

/** The template's folder under the package root. */
export const TEMPLATE_DIR = "templates/spec-repository";

/**
 * The template's `.gitignore`. npm leaves every file named `.gitignore` out of a package, so the
 * installed template lacks it and `init` writes this; a unit test holds it equal to the template's file.
 */
export const TEMPLATE_GITIGNORE = `node_modules/
# Snapshots of what Amazon holds, kept here only when no shared store is configured: they list IDs.
.dsp-audiences/
# Outputs of \`dsp-audiences plan-summary\` and \`hash-csv\` (a hashed CSV is still personal data).
plan-summary.md
plan-summary.json
*.hashed.csv
`;

/** What the placeholders become. */
export interface TemplateValues {
  project: string;
  description: string;
}

/** Pulumi's rule for project names: letters, digits, "_", "-" and ".", at most 100. */
export const PROJECT_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** A project name from a folder name: characters Pulumi refuses become "-". */
export function projectNameFromFolder(folder: string): string {
  const name = folder.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 100);
  return name === "" ? "dsp-audiences-spec" : name;
}

/** `template.description` of the template's Pulumi.yaml: the default `${DESCRIPTION}`, as `pulumi new --yes` takes it. */
export function templateDescription(pulumiYaml: string): string {
  const match = /^template:\n {2}description: (.+)$/m.exec(pulumiYaml);
  if (match === null) throw new Error(`${TEMPLATE_DIR}/Pulumi.yaml: no template.description`);
  return (match[1] as string).trim();
}

/** Pulumi.yaml without its `template:` section (the template's own part, which `pulumi new` drops too). */
export function withoutTemplateSection(pulumiYaml: string): string {
  return pulumiYaml.replace(/^template:\n(?:(?: {2}.*)?\n)*/m, "");
}

function substitute(text: string, values: TemplateValues): string {
  return text.replaceAll("${PROJECT}", values.project).replaceAll("${DESCRIPTION}", values.description);
}

/** The files of a new spec repository: relative path → text. */
export function instantiateTemplate(files: ReadonlyMap<string, string>, values: TemplateValues): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, text] of files) {
    out.set(substitute(name, values), substitute(name === "Pulumi.yaml" ? withoutTemplateSection(text) : text, values));
  }
  if (!out.has(".gitignore")) out.set(".gitignore", TEMPLATE_GITIGNORE);
  return out;
}
