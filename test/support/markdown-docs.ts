/**
 * Reading this repository's Markdown the way a reader's renderer does, for the docs tests: code
 * fences apart from prose, inline code spans, links, and the anchors GitHub gives headings.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const REPOSITORY_ROOT = path.join(__dirname, "..", "..");

/** README.md and every docs/*.md, repository-relative. */
export function documentationFiles(root: string = REPOSITORY_ROOT): string[] {
  const docs = fs.readdirSync(path.join(root, "docs")).filter((name) => name.endsWith(".md")).sort();
  return ["README.md", ...docs.map((name) => `docs/${name}`)];
}

/** The text outside fenced code blocks (```), with each fence's lines blanked so line numbers stay. */
export function withoutFences(markdown: string): string {
  let inFence = false;
  return markdown
    .split("\n")
    .map((line) => {
      if (/^\s*```/.test(line)) {
        inFence = !inFence;
        return "";
      }
      return inFence ? "" : line;
    })
    .join("\n");
}

/** Inline code spans (`x`, or ``x`` around a backtick), outside fences. */
export function codeSpans(markdown: string): string[] {
  return [...withoutFences(markdown).matchAll(/(`+)([^`\n]+?)\1(?!`)/g)].map((m) => m[2]!.trim());
}

/** Targets of inline links `[text](target)`, outside fences and code spans. */
export function linkTargets(markdown: string): string[] {
  const prose = withoutFences(markdown).replace(/(`+)[^`\n]+?\1(?!`)/g, "");
  return [...prose.matchAll(/\[[^\]\n]*\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

/** GitHub's anchor of a heading text: lower case, punctuation dropped, spaces as hyphens. */
export function headingSlug(heading: string): string {
  return heading
    .replace(/`/g, "")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The anchors of every heading of a document, duplicates numbered as GitHub numbers them. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of withoutFences(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = headingSlug(m[1]!);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}
