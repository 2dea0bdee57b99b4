import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import fc from "fast-check";
import { parsePreviewJson, type PreviewJson } from "../../../provider/gitops/preview-json";
import { summarisePreview } from "../../../provider/gitops/plan-summary";
import { DEFAULT_MARKER, describeChangesInOneLine, escapeMarkdown, renderPlanMarkdown } from "../../../provider/gitops/render-markdown";
import { syntheticPreview } from "../../support/synthetic-preview";

const fixture = (name: string): PreviewJson => parsePreviewJson(fs.readFileSync(path.join(__dirname, "fixtures", `preview-${name}.json`), "utf8"));
const bytes = (s: string): number => Buffer.byteLength(s, "utf8");
const LIMIT = 60_000;

describe("plan summary as Markdown", () => {
  it("renders an update: marker first, status line, one row per changed audience", () => {
    const md = renderPlanMarkdown(summarisePreview(fixture("update"), { stack: "prod" }));
    assert.equal(
      md,
      [
        DEFAULT_MARKER,
        "### dsp-audiences plan · `prod`",
        "",
        "**1 audience change** (1 to update) · IDs **+50 −50**",
        "",
        "| Audience | Change | Metadata | COOKIE |",
        "|:--|:--|:--|--:|",
        "| `alpha` | update | `description` | +50 −50 |",
        "",
      ].join("\n"),
    );
  });

  it("puts errors and the recovery before the table, and marks the membership as not planned", () => {
    const md = renderPlanMarkdown(summarisePreview(fixture("missing-snapshot")));
    assert.match(md, /\*\*Preview failed\*\* \(1 error\)/);
    assert.match(md, /#### Errors\n- `alpha`: COOKIE: cannot plan: Applied-set snapshot [0-9a-f]{64} not found at/);
    assert.match(md, /> \*\*Recovery\*\*: Without it the previously applied membership is unknown.*pulumi config set dsp:reassert/);
    assert.match(md, /\| `alpha` \| \*\*error\*\* \| `description` \| \*\*not planned\*\* \|/);
    assert.ok(md.indexOf("#### Errors") < md.indexOf("| Audience |"));
  });

  it("warns about replacements", () => {
    const md = renderPlanMarkdown(summarisePreview(fixture("replace")));
    assert.match(md, /\| `alpha` \| \*\*replace\*\* \| `description`, `name` \| \+200 −200 \|/);
    assert.match(md, /#### Warnings\n- `alpha`: replaced \(name changed\): .* stays in Amazon DSP/);
  });

  it("keeps a 1,000,000-ID change small and exact", () => {
    const md = renderPlanMarkdown(summarisePreview(syntheticPreview({ audiences: 1, adds: 1_000_000, removes: 250_000 })));
    assert.match(md, /\| \+1,000,000 −250,000 \| \+1,000,000 −250,000 \|/);
    assert.match(md, /IDs \*\*\+2,000,000 −500,000\*\*/);
    assert.ok(bytes(md) < 2000, `${bytes(md)} bytes`);
  });

  it("stays under 60,000 characters for 2,000 audiences with long keys, errors and replacements", () => {
    for (const preview of [
      syntheticPreview({ audiences: 2000, keyLength: 63 }),
      syntheticPreview({ audiences: 2000, keyLength: 63, errors: 2000 }),
      syntheticPreview({ audiences: 2000, keyLength: 63, op: "replace" }),
    ]) {
      const summary = summarisePreview(preview);
      const md = renderPlanMarkdown(summary);
      assert.ok(bytes(md) <= LIMIT && md.length <= LIMIT, `${bytes(md)} bytes`);
      assert.ok(bytes(md) > LIMIT * 0.8, `uses the space it has (${bytes(md)} bytes)`);
      const shown = (md.match(/^\| `audience-/gm) ?? []).length;
      const more = /_… and ([\d,]+) more audiences \(IDs \+([\d,]+) −([\d,]+)\); the JSON summary lists every one\._/.exec(md);
      assert.ok(more, "says how many audiences were left out");
      assert.equal(shown + Number(more[1]!.replace(/,/g, "")), summary.audiences.length, "shown + left out = all");
      assert.ok(shown > 100, `${shown} rows shown`);
    }
  });

  it("never exceeds maxChars, whatever the plan (property)", () => {
    fc.assert(
      fc.property(
        fc.record({
          audiences: fc.integer({ min: 0, max: 120 }),
          errors: fc.integer({ min: 0, max: 120 }),
          op: fc.constantFrom("create" as const, "update" as const, "replace" as const, "delete" as const, "same" as const),
          keyLength: fc.integer({ min: 15, max: 63 }),
          maxChars: fc.integer({ min: 1000, max: 20_000 }),
        }),
        ({ maxChars, ...o }) => {
          const md = renderPlanMarkdown(summarisePreview(syntheticPreview(o)), { maxChars });
          return bytes(md) <= maxChars && md.startsWith(`${DEFAULT_MARKER}\n`);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("escapes text from the preview: no HTML, no table breaks, no mentions", () => {
    assert.equal(escapeMarkdown("a|b\n<!-- c --> @team & d"), "a\\|b &lt;!-- c --&gt; &#64;team &amp; d");
    const preview: PreviewJson = {
      steps: [],
      changeSummary: {},
      diagnostics: [{ severity: "error", message: "error: boom <!-- hidden\n| not a row @everyone" }],
    };
    const md = renderPlanMarkdown(summarisePreview(preview));
    assert.ok(!md.includes("<!-- hidden"));
    assert.match(md, /- boom &lt;!-- hidden \\\| not a row &#64;everyone/);
    assert.equal(md.split("<!--").length, 2, "only the marker is an HTML comment");
  });

  it("clips one huge message instead of dropping it", () => {
    const preview: PreviewJson = { steps: [], changeSummary: {}, diagnostics: [{ severity: "error", message: `error: ${"x".repeat(100_000)}` }] };
    const md = renderPlanMarkdown(summarisePreview(preview));
    assert.match(md, /- x{599}…\n/);
  });

  it("says so when nothing changes", () => {
    const md = renderPlanMarkdown(summarisePreview(syntheticPreview({ audiences: 4, op: "same" }), { stack: "prod" }), { title: "Drift check" });
    assert.equal(md, `${DEFAULT_MARKER}\n### Drift check\n\n**No changes** · 4 unchanged\n`);
  });

  it("names what changes in one line for CI logs, at most 10 audiences", () => {
    assert.equal(describeChangesInOneLine(summarisePreview(fixture("update"))), "alpha (description, COOKIE +50 −50)");
    assert.equal(describeChangesInOneLine(summarisePreview(fixture("missing-snapshot"))), "alpha (description, COOKIE not planned, error)");
    assert.equal(describeChangesInOneLine(summarisePreview(syntheticPreview({ audiences: 3, op: "same" }))), "no audience changes");
    const many = describeChangesInOneLine(summarisePreview(syntheticPreview({ audiences: 25, reassert: true })));
    assert.match(many, /^audience-00000 \(description, ttl, COOKIE \+100 −10 re-assert, MAID \+100 −10 re-assert\), .* and 15 more$/);
  });
});
